namespace OpenChoreo.Cli.Output;

/// <summary>Plain, space-aligned columns as kubectl prints them (no borders, so output pipes well).</summary>
public static class TableWriter
{
    public static void Write(TextWriter w, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, bool printHeaders = true)
    {
        var all = rows.ToList();
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var r in all)
        {
            for (var i = 0; i < widths.Length; i++) widths[i] = Math.Max(widths[i], r[i].Length);
        }
        if (printHeaders) WriteRow(w, headers, widths);
        foreach (var r in all) WriteRow(w, r, widths);
    }

    private static void WriteRow(TextWriter w, IReadOnlyList<string> cells, int[] widths)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (i == cells.Count - 1) w.Write(cells[i]);
            else w.Write(cells[i].PadRight(widths[i] + 3));
        }
        w.WriteLine();
    }
}
