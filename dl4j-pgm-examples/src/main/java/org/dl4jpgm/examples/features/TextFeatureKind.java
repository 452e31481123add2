package org.dl4jpgm.examples.features;

/** What a raw text becomes before the model: the frozen pretrained encoder, or model-free hashed trigrams. */
public enum TextFeatureKind {
    /**
     * all-MiniLM-L6-v2 ({@code MiniLmTextEncoder}, ONNX Runtime): mean-pooled sentence features [384]; the model comes
     * from the langchain4j Maven artifact on the classpath.
     */
    MINILM,
    /** {@code CharTrigramHasher}: L2-normalised counts of hashed character trigrams; no model files. */
    TRIGRAM
}
