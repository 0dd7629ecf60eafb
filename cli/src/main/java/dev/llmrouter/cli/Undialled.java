package dev.llmrouter.cli;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.engine.DecisionModels;
import dev.llmrouter.engine.Router;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.provider.Completion;
import dev.llmrouter.provider.ProviderCall;
import dev.llmrouter.provider.ProviderClient;
import dev.llmrouter.provider.StreamSink;

/** The provider of a router that only decides (explain), which calls no model: says so if it ever is called. */
final class Undialled implements ProviderClient {
    /** A router over {@code catalog} that decides with {@code policy} and {@code models} and calls no model. */
    static Router router(Catalog catalog, Policy policy, DecisionModels models) {
        Router.Builder builder =
                Router.builder().catalog(catalog).policy(policy).models(models);
        catalog.providers().keySet().forEach(name -> builder.provider(name, new Undialled()));
        return builder.build();
    }

    @Override
    public Completion complete(ProviderCall call) {
        throw new IllegalStateException("deciding again calls no model");
    }

    @Override
    public Completion stream(ProviderCall call, StreamSink sink) {
        throw new IllegalStateException("deciding again calls no model");
    }
}
