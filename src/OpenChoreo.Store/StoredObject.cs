namespace OpenChoreo.Store;

/// <summary>
/// One row of the objects table as back ends keep it: the envelope columns the store filters on plus the object's
/// JSON, which is only parsed when a caller needs the object.
/// </summary>
/// <param name="LabelsJson">metadata.labels as a JSON object, or null when the object has no labels.</param>
/// <param name="OwnerUids">The uids of metadata.ownerReferences joined by spaces, or null when it has none.</param>
public sealed record StoredObject(
    ResourceKey Key,
    string Uid,
    long Revision,
    string? LabelsJson,
    string? OwnerUids,
    string Data);
