package dev.llmrouter.gate;

import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.ClassifierInfo;
import dev.llmrouter.provider.Completion;
import dev.llmrouter.request.ChatRequest;

/**
 * Scores a model's answer to decide whether the cascade accepts it or escalates. Thread-safe.
 */
public interface AnswerGate {
    ClassifierInfo info();

    /** The score of {@code answer} to {@code request}, which the classifier judged {@code classification}. */
    GateScore score(ChatRequest request, Classification classification, Completion answer);
}
