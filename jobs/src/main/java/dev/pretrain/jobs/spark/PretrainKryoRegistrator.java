package dev.pretrain.jobs.spark;

import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.common.primitives.AtomicDouble;
import org.nd4j.kryo.Nd4jSerializer;
import org.nd4j.kryo.primitives.AtomicDoubleSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

import de.javakaffee.kryoserializers.SynchronizedCollectionsSerializer;
import de.javakaffee.kryoserializers.UnmodifiableCollectionsSerializer;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import dev.pretrain.corpus.tokenize.WordPieceTokenizer;
import dev.pretrain.model.bert.BertKryoRegistrator;

/**
 * Kryo setup for pretrain jobs: what ND4J's {@code org.nd4j.kryo.Nd4jRegistrator} registers (INDArrays for DL4J
 * parameter averaging, {@code AtomicDouble}, unmodifiable and synchronized collections), except that ND4J's
 * {@link Nd4jSerializer} is the default serializer of the {@link INDArray} interface instead of a registration of
 * the backend's array class: {@code Nd4jRegistrator} calls {@code Nd4j.getBackend()}, which loads the native
 * backend (about a second, and on the first Kryo use of every executor) even in jobs that never touch an
 * INDArray (ingest, vocab, tokenize, examples, word2vec). Arrays then travel with their class name instead of a
 * registration id, a few bytes more per array; plus
 * Java serialization for every Java {@code record}. Kryo 4's field serializer cannot write record
 * fields on Java 17 ("can't get field offset on a record class"); records serialize through their
 * canonical constructor with Java serialization instead, except {@code BertExample}, the bulk of
 * BERT training data, which has a compact serializer of its own; and Java serialization for the classes
 * that restore transient state in {@code readObject} ({@link WordPieceTokenizer}, {@link SerializableConfiguration}).
 */
public final class PretrainKryoRegistrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        kryo.addDefaultSerializer(INDArray.class, new Nd4jSerializer());
        kryo.register(AtomicDouble.class, new AtomicDoubleSerializer());
        UnmodifiableCollectionsSerializer.registerSerializers(kryo);
        SynchronizedCollectionsSerializer.registerSerializers(kryo);
        kryo.addDefaultSerializer(Record.class, JavaSerializer.class);
        // Classes that rebuild transient state in readObject: Kryo's field serializer would skip the
        // transient fields and never call readObject (an executor would get an empty WordPiece trie).
        kryo.addDefaultSerializer(WordPieceTokenizer.class, JavaSerializer.class);
        kryo.addDefaultSerializer(SerializableConfiguration.class, JavaSerializer.class);
        BertKryoRegistrator.registerBertClasses(kryo);
    }
}
