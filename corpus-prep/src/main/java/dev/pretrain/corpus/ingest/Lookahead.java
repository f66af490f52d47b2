package dev.pretrain.corpus.ingest;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An iterator over elements computed one ahead: {@link #compute()} yields the next element or {@code null} at the
 * end, after which it is not called again. An exception from {@code compute()} propagates from {@link #hasNext()}
 * (a subclass that must not be called again after one records that itself and returns {@code null}). Single use, not
 * thread-safe. Shared by the line iterators here and the readers in {@code ingest.readers}.
 *
 * @param <T> the element type
 */
public abstract class Lookahead<T> implements Iterator<T> {
  private T next;
  private boolean done;

  /** Subclasses only. */
  protected Lookahead() {
  }

  /**
   * Computes the next element.
   *
   * @return the next element, or {@code null} at the end
   */
  protected abstract T compute();

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
