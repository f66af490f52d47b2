package dev.pretrain.jobs.cli;

import picocli.CommandLine.Option;

/** Options 'ingest' and 'ingest-incremental' share: sentence splitting and the minimum document size kept. */
final class DocumentOptions {
    @Option(names = "--language", defaultValue = "en", description = "Locale of the ICU4J sentence splitter (default: ${DEFAULT-VALUE}).")
    String language;

    @Option(names = "--min-chars", defaultValue = "20", description = "Drop documents shorter than this (default: ${DEFAULT-VALUE}).")
    int minChars;

    @Option(names = "--min-sentences", defaultValue = "1", description = "Drop documents with fewer sentences (default: ${DEFAULT-VALUE}).")
    int minSentences;
}
