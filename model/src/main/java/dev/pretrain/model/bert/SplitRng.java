package dev.pretrain.model.bert;

import java.lang.reflect.Field;
import java.util.Random;
import org.deeplearning4j.spark.impl.paramavg.BaseTrainingMaster;

/**
 * The random generator of the training master's random splits ({@code BaseTrainingMaster.rng}, one
 * {@code nextLong()} per split of a fit), replaced by this one so that a checkpoint can store its whole state as one
 * number and a resumed run draws the same split seeds: SplitMix64 (Steele, Lea and Flood 2014), whose state is a
 * single 64-bit counter advanced by a fixed odd increment and passed through {@link BertSparkTrainer#mix}.
 *
 * <p>Every {@link Random} method draws through {@link #next(int)} or {@link #nextLong()}, both from the one counter,
 * except {@link #nextGaussian()}, whose cached second value {@link Random} would keep outside that state: it throws.
 */
final class SplitRng extends Random {
    private static final long serialVersionUID = 1L;
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private long state;

    /** A generator whose next {@link #nextLong()} is the one that follows {@code state} (see {@link #state()}). */
    SplitRng(long state) {
        super(0L);
        this.state = state;
    }

    /** The whole state: {@code new SplitRng(rng.state())} continues exactly where {@code rng} is. */
    synchronized long state() {
        return state;
    }

    /** Sets the state (as {@link #SplitRng(long)}); called by {@link Random}'s constructor too. */
    @Override
    public synchronized void setSeed(long seed) {
        state = seed;
    }

    @Override
    public synchronized long nextLong() {
        state += GOLDEN_GAMMA;
        return BertSparkTrainer.mix(state);
    }

    @Override
    protected int next(int bits) {
        return (int) (nextLong() >>> (64 - bits));
    }

    /** @throws UnsupportedOperationException always (see the class comment) */
    @Override
    public double nextGaussian() {
        throw new UnsupportedOperationException("SplitRng: nextGaussian would cache state outside the checkpoint");
    }

    /**
     * Puts {@code rng} into the training master's split-RNG field.
     *
     * @return false if this DL4J version has no such field (then resume is exact as long as no round's data exceeds
     *         one split)
     */
    static boolean install(BaseTrainingMaster<?, ?> tm, SplitRng rng) {
        try {
            field().set(tm, rng);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** The state of the master's split RNG if it is one installed by {@link #install}; null otherwise. */
    static Long stateOf(BaseTrainingMaster<?, ?> tm) {
        try {
            return field().get(tm) instanceof SplitRng r ? r.state() : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static Field field() throws NoSuchFieldException {
        Field f = BaseTrainingMaster.class.getDeclaredField("rng");
        f.setAccessible(true);
        return f;
    }
}
