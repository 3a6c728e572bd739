using OpenChoreo.Server;

return await ServerCli.RunAsync(args);
