import { Project } from 'projen/lib/project';
import { TextFile } from 'projen/lib/textfile';

/**
 * Where the probe's source is written in the project, and the folder (class path) of the built probe
 * in the image: in the app's folder beside lib/, as both come from the dependency layer in one COPY.
 */
export const HEALTH_PROBE_SOURCE = '.stagecraft/HealthProbe.java';
export const HEALTH_PROBE_CLASS_PATH = '/app/healthprobe';

/**
 * stagecraft's own health probe for a Java service: one class of `java.base`
 * alone (a plain socket, no HTTP client module, so it runs on any JRE or a
 * jlink'ed runtime), compiled by `javac` in the dependency layer, before the app's
 * sources arrive, so an app edit never rebuilds it and the app need not
 * implement a probe flag. The runtime's own `java` runs it: no curl in the
 * image. It speaks just enough HTTP/1.0 and exits 0 for a 2xx answer within
 * 4 seconds.
 *
 * A generated file in a dot folder: Maven never compiles it with the app.
 */
export class JavaHealthProbeSource extends TextFile {
  /** @param filePath where the source is written: HEALTH_PROBE_SOURCE in the app's folder */
  constructor(project: Project, filePath: string = HEALTH_PROBE_SOURCE) {
    super(project, filePath, { readonly: true, marker: true });
    this.addLine(`// ${this.marker}`);
    this.addLine('');
    for (const line of PROBE) {
      this.addLine(line);
    }
  }
}

const PROBE = `import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** HealthProbe URL: exits 0 when an HTTP GET of URL (http://host:port/path) answers 2xx within 4 seconds, 1 otherwise, with one line on stderr. */
public final class HealthProbe {
    public static void main(String[] args) {
        if (args.length != 1 || !args[0].startsWith("http://")) {
            System.err.println("usage: HealthProbe http://host:port/path");
            System.exit(2);
        }
        try {
            URI url = URI.create(args[0]);
            String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
            int port = url.getPort() == -1 ? 80 : url.getPort();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(url.getHost(), port), 4000);
                socket.setSoTimeout(4000);
                OutputStream out = socket.getOutputStream();
                out.write(("GET " + path + " HTTP/1.0\\r\\nHost: " + url.getHost() + "\\r\\nUser-Agent: stagecraft-healthprobe\\r\\n\\r\\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                String[] fields = status == null ? new String[0] : status.trim().split("\\\\s+");
                if (fields.length >= 2 && fields[0].startsWith("HTTP/") && fields[1].length() == 3 && fields[1].startsWith("2")) {
                    System.exit(0);
                }
                System.err.println("unhealthy: " + status);
            }
        } catch (Exception e) {
            System.err.println(e);
        }
        System.exit(1);
    }
}`.split('\n');
