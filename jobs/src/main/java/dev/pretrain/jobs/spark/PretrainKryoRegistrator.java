package dev.pretrain.jobs.spark;

import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.kryo.Nd4jRegistrator;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import dev.pretrain.corpus.tokenize.WordPieceTokenizer;
import dev.pretrain.model.bert.BertKryoRegistrator;

/**
 * Kryo setup for pretrain jobs: ND4J's registrator (INDArrays for DL4J parameter averaging), plus
 * Java serialization for every Java {@code record}. Kryo 4's field serializer cannot write record
 * fields on Java 17 ("can't get field offset on a record class"); records serialize through their
 * canonical constructor with Java serialization instead, except {@code BertExample}, the bulk of
 * BERT training data, which has a compact serializer of its own; and Java serialization for the classes
 * that restore transient state in {@code readObject} ({@link WordPieceTokenizer}, {@link SerializableConfiguration}).
 */
public final class PretrainKryoRegistrator implements KryoRegistrator {
    private final Nd4jRegistrator nd4j = new Nd4jRegistrator();

    @Override
    public void registerClasses(Kryo kryo) {
        nd4j.registerClasses(kryo);
        kryo.addDefaultSerializer(Record.class, JavaSerializer.class);
        // Classes that rebuild transient state in readObject: Kryo's field serializer would skip the
        // transient fields and never call readObject (an executor would get an empty WordPiece trie).
        kryo.addDefaultSerializer(WordPieceTokenizer.class, JavaSerializer.class);
        kryo.addDefaultSerializer(SerializableConfiguration.class, JavaSerializer.class);
        BertKryoRegistrator.registerBertClasses(kryo);
    }
}
