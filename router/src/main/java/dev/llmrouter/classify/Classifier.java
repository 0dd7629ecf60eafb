package dev.llmrouter.classify;

import dev.llmrouter.request.ChatRequest;
import java.util.Set;

/**
 * Estimates a request's intent and difficulty before any model is called. Implementations are thread-safe
 * and fast: the router calls one per request on its hot path.
 */
public interface Classifier {
    ClassifierInfo info();

    /** The intent labels this classifier can produce; policies may match only these. */
    Set<String> intents();

    Classification classify(ChatRequest request);
}
