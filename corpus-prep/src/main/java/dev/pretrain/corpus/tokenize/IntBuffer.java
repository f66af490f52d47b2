package dev.pretrain.corpus.tokenize;

import java.util.Arrays;

/**
 * A growable, reusable list of {@code int} (token ids), used as the allocation-free output of
 * {@link BertTokenizer#encode(String, IntBuffer)}. Not to be confused with {@link java.nio.IntBuffer}.
 * Not thread-safe.
 */
public final class IntBuffer {
  private int[] data;
  private int size;

  public IntBuffer() {
    this(256);
  }

  public IntBuffer(int initialCapacity) {
    if (initialCapacity < 0) throw new IllegalArgumentException("capacity must be >= 0, got " + initialCapacity);
    data = new int[Math.max(initialCapacity, 4)];
  }

  /** Appends one value. */
  public void add(int value) {
    if (size == data.length) data = Arrays.copyOf(data, data.length * 2);
    data[size++] = value;
  }

  /** @return the value at {@code index} ({@code 0 <= index < size()}). */
  public int get(int index) {
    if (index < 0 || index >= size) throw new IndexOutOfBoundsException("index " + index + ", size " + size);
    return data[index];
  }

  /** @return the number of values held. */
  public int size() {
    return size;
  }

  /** Removes all values (keeps the capacity). */
  public void clear() {
    size = 0;
  }

  /** Shrinks the logical size to {@code newSize} (which must not exceed {@link #size()}). */
  public void truncate(int newSize) {
    if (newSize < 0 || newSize > size) throw new IndexOutOfBoundsException("newSize " + newSize + ", size " + size);
    size = newSize;
  }

  /** @return the backing array; only the first {@link #size()} entries are valid. */
  public int[] array() {
    return data;
  }

  /** @return a copy of the values. */
  public int[] toArray() {
    return Arrays.copyOf(data, size);
  }

  /** @return a copy of values {@code [from, size())}. */
  public int[] toArray(int from) {
    return Arrays.copyOfRange(data, from, size);
  }

  @Override
  public String toString() {
    return Arrays.toString(toArray());
  }
}
