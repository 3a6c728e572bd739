// The gateway serves the podman runtime's routes, which runs on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
