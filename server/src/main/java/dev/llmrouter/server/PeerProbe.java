package dev.llmrouter.server;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Whether the caller of a request still being worked on has hung up, without reading from its connection
 * (which would take bytes Helidon has not read yet). Helidon offers no such check, so it asks the kernel: on
 * Linux, a TCP connection whose peer has closed its side waits in {@code CLOSE_WAIT} in
 * {@code /proc/net/tcp} (or {@code tcp6}) until the server closes it. Elsewhere, or when the connection is
 * not found, the caller counts as present. A client that half-closes its side while still waiting for the
 * answer (rare over HTTP/1.1) counts as gone.
 */
final class PeerProbe {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    private static final String CLOSE_WAIT = "08";

    private PeerProbe() {}

    /** True when the kernel says the peer of the connection from {@code remote} to {@code local} has closed. */
    static boolean peerClosed(SocketAddress local, SocketAddress remote) {
        if (!(local instanceof InetSocketAddress l) || !(remote instanceof InetSocketAddress r)) {
            return false;
        }
        for (Path table : TABLES) {
            if (!Files.isReadable(table)) {
                continue;
            }
            String localV4 = hex(l.getAddress(), false) + ":" + port(l.getPort());
            String remoteV4 = hex(r.getAddress(), false) + ":" + port(r.getPort());
            String localV6 = hex(l.getAddress(), true) + ":" + port(l.getPort());
            String remoteV6 = hex(r.getAddress(), true) + ":" + port(r.getPort());
            try (var lines = Files.lines(table)) {
                var hit = lines.skip(1)
                        .map(line -> line.trim().split("\\s+"))
                        .filter(f -> f.length > 3)
                        .filter(f -> (f[1].equals(localV4) && f[2].equals(remoteV4))
                                || (f[1].equals(localV6) && f[2].equals(remoteV6)))
                        .findFirst();
                if (hit.isPresent()) {
                    return hit.get()[3].equals(CLOSE_WAIT);
                }
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
        return false;
    }

    private static String port(int port) {
        return String.format(Locale.ROOT, "%04X", port);
    }

    /**
     * The address as the kernel's tables write it: each 32-bit word in host (little-endian) byte order, in
     * hex; an IPv4 address in {@code tcp6} as its IPv4-mapped form.
     */
    private static String hex(InetAddress address, boolean v6) {
        byte[] raw = address.getAddress();
        if (v6 && address instanceof Inet4Address) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(raw, 0, mapped, 12, 4);
            raw = mapped;
        } else if (!v6 && raw.length != 4) {
            return "-";
        }
        StringBuilder out = new StringBuilder(raw.length * 2);
        for (int word = 0; word < raw.length; word += 4) {
            for (int i = 3; i >= 0; i--) {
                out.append(String.format(Locale.ROOT, "%02X", raw[word + i] & 0xff));
            }
        }
        return out.toString();
    }
}
