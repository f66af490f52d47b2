package dev.pretrain.jobs.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The lines of a reader, streamed; the reader is closed when the lines run out. A read error
 * surfaces as an {@link UncheckedIOException} naming the file.
 */
public final class LineIterator implements Iterator<String>, AutoCloseable {
    private final BufferedReader reader;
    private final String file;
    private String next;
    private boolean done;

    public LineIterator(BufferedReader reader, String file) {
        this.reader = reader;
        this.file = file;
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (done) {
            return false;
        }
        try {
            next = reader.readLine();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("read error in " + file + ": " + e.getMessage(), e);
        }
        if (next == null) {
            close();
            return false;
        }
        return true;
    }

    @Override
    public String next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        String s = next;
        next = null;
        return s;
    }

    @Override
    public void close() {
        done = true;
        try {
            reader.close();
        } catch (IOException ignored) {
            // nothing left to read
        }
    }
}
