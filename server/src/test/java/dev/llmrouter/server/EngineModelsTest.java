package dev.llmrouter.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.classify.ClassifierInfo;
import dev.llmrouter.engine.DecisionModels;
import dev.llmrouter.gate.HeuristicAnswerGate;
import dev.llmrouter.request.ChatRequest;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A replaced classifier is closed when the last request holding it lets go, and not before. */
class EngineModelsTest {
    @Test
    void retiredModelsCloseWhenTheirLastHolderLetsGo() {
        AtomicBoolean closed = new AtomicBoolean();
        DecisionModels loaded = new DecisionModels(new Closing(closed), new HeuristicAnswerGate());
        Engine.Models models = new Engine.Models(loaded, loaded, Optional.empty());
        assertTrue(models.hold(), "a request takes hold");
        models.release(); // the engine retires them: replaced
        assertFalse(closed.get(), "still in use by the request");
        models.release(); // the request is done
        assertTrue(closed.get());
        assertFalse(models.hold(), "closed models are never handed out again");
    }

    private record Closing(AtomicBoolean closed) implements Classifier, AutoCloseable {
        @Override
        public ClassifierInfo info() {
            return new ClassifierInfo("closing", "0");
        }

        @Override
        public Set<String> intents() {
            return Set.of("chat");
        }

        @Override
        public Classification classify(ChatRequest request) {
            return new Classification(java.util.Map.of("chat", 1.0), java.util.Map.of(1, 0.5));
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }
}
