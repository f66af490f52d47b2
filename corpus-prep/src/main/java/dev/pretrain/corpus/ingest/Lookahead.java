package dev.pretrain.corpus.ingest;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An iterator over elements computed one ahead: {@link #compute()} yields the next element or {@code null} at the
 * end, after which it is not called again. Single use, not thread-safe.
 *
 * @param <T> the element type
 */
abstract class Lookahead<T> implements Iterator<T> {
  private T next;
  private boolean done;

  /** Computes the next element or returns {@code null} at the end. */
  abstract T compute();

  @Override
  public final boolean hasNext() {
    if (next == null && !done) {
      next = compute();
      done = next == null;
    }
    return next != null;
  }

  @Override
  public final T next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    T n = next;
    next = null;
    return n;
  }
}
