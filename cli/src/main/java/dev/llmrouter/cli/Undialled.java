package dev.llmrouter.cli;

import dev.llmrouter.provider.Completion;
import dev.llmrouter.provider.ProviderCall;
import dev.llmrouter.provider.ProviderClient;
import dev.llmrouter.provider.StreamSink;

/** The provider of a router that only decides (explain), which calls no model: says so if it ever is called. */
final class Undialled implements ProviderClient {
    @Override
    public Completion complete(ProviderCall call) {
        throw new IllegalStateException("deciding again calls no model");
    }

    @Override
    public Completion stream(ProviderCall call, StreamSink sink) {
        throw new IllegalStateException("deciding again calls no model");
    }
}
