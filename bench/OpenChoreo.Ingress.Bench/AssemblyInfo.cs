// nginx, wrk and the podman runtime types are Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
