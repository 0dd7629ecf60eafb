package dev.llmrouter.provider;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HttpEngineTest {
    @Test
    void theRoutersOwnClientUnlessAnotherIsNamed() {
        assertInstanceOf(Http1Client.class, HttpEngine.configured(Duration.ofSeconds(1)));
    }

    @Test
    void anEngineNotOnTheClassPathIsRefusedByName() {
        String before = System.getProperty(HttpEngine.PROPERTY);
        System.setProperty(HttpEngine.PROPERTY, "carrier-pigeon");
        try {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> HttpEngine.configured(Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("no HTTP engine named 'carrier-pigeon'"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(HttpEngine.PROPERTY);
            } else {
                System.setProperty(HttpEngine.PROPERTY, before);
            }
        }
    }
}
