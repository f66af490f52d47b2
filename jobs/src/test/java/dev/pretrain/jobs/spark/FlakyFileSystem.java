package dev.pretrain.jobs.spark;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.PositionedReadable;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.Seekable;
import org.apache.spark.TaskContext;

/**
 * Test file system {@code flaky:///path}: the local file system, except that a stream opened by the first attempt
 * of a Spark task fails after {@link #FAIL_AFTER_BYTES} bytes, so that every task reading through it fails once,
 * part-way through its input, and is retried (with a master such as {@code local[2,4]}). Register it with the Hadoop
 * setting {@code fs.flaky.impl}.
 */
public class FlakyFileSystem extends RawLocalFileSystem {
    /** Bytes a first attempt reads before its stream fails. */
    public static final long FAIL_AFTER_BYTES = 2048;
    private static final URI NAME = URI.create("flaky:///");

    @Override
    public URI getUri() {
        return NAME;
    }

    @Override
    public String getScheme() {
        return "flaky";
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        FSDataInputStream in = super.open(f, bufferSize);
        TaskContext task = TaskContext.get();
        if (task == null || task.attemptNumber() > 0) {
            return in;
        }
        return new FSDataInputStream(new FailingStream(in, FAIL_AFTER_BYTES));
    }

    /** Delegates to a seekable stream and throws once {@code limit} bytes have been read through it. */
    private static final class FailingStream extends InputStream implements Seekable, PositionedReadable {
        private final FSDataInputStream in;
        private final long limit;
        private long read;

        FailingStream(FSDataInputStream in, long limit) {
            this.in = in;
            this.limit = limit;
        }

        private void count(long n) throws IOException {
            if (n > 0) {
                read += n;
            }
            if (read > limit) {
                throw new IOException("flaky:// injected failure of a first task attempt after " + read + " bytes");
            }
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            count(b < 0 ? 0 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            count(n);
            return n;
        }

        @Override
        public int read(long position, byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(position, buffer, offset, length);
            count(n);
            return n;
        }

        @Override
        public void readFully(long position, byte[] buffer, int offset, int length) throws IOException {
            in.readFully(position, buffer, offset, length);
            count(length);
        }

        @Override
        public void readFully(long position, byte[] buffer) throws IOException {
            readFully(position, buffer, 0, buffer.length);
        }

        @Override
        public void seek(long pos) throws IOException {
            in.seek(pos);
        }

        @Override
        public long getPos() throws IOException {
            return in.getPos();
        }

        @Override
        public boolean seekToNewSource(long targetPos) throws IOException {
            return in.seekToNewSource(targetPos);
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
