package dev.pretrain.model.bert;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Reads the entries of a checkpoint zip into memory with a size limit per entry name: an entry that is not
 * expected, appears twice or inflates past its limit is refused before more than {@code limit + 1} bytes of it are
 * held (the sizes a zip declares are not trusted; the inflated bytes are counted).
 */
final class CheckpointZip {
    private CheckpointZip() {
    }

    /**
     * The entries of the zip, by name.
     *
     * @param in     the zip stream (not closed here)
     * @param file   the zip's path, for the error messages
     * @param limits the accepted entry names and the most bytes each may inflate to
     * @throws IllegalStateException naming {@code file}, the entry and the reason if an entry is unknown, repeated or
     *                               larger than its limit
     * @throws IOException           if the stream is not a readable zip
     */
    static Map<String, byte[]> read(InputStream in, String file, Map<String, Long> limits) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        ZipInputStream zip = new ZipInputStream(in);
        for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
            String name = e.getName();
            Long limit = limits.get(name);
            if (limit == null) {
                throw new IllegalStateException("checkpoint " + file + ": unexpected entry '" + name
                        + "' (a checkpoint holds only " + limits.keySet() + ")");
            }
            if (entries.containsKey(name)) {
                throw new IllegalStateException("checkpoint " + file + ": entry '" + name + "' appears twice");
            }
            entries.put(name, readAtMost(zip, limit, file, name));
        }
        return entries;
    }

    private static byte[] readAtMost(InputStream in, long limit, String file, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (total > limit) {
                throw new IllegalStateException("checkpoint " + file + ": entry '" + name + "' is larger than its limit of "
                        + limit + " bytes (a damaged or foreign checkpoint)");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}
