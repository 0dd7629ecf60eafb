package dev.llmrouter.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseReaderTest {
    private static List<SseReader.Event> read(String stream) throws Exception {
        List<SseReader.Event> events = new ArrayList<>();
        SseReader.read(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)), events::add);
        return events;
    }

    @Test
    void readsNamedEventsMultiLineDataCommentsAndCrlf() throws Exception {
        List<SseReader.Event> events = read(": hello\r\nevent: first\r\ndata: a\r\ndata:b\r\n\r\nid: 3\ndata: ü\n\n\n");

        assertEquals(List.of(new SseReader.Event("first", "a\nb"), new SseReader.Event("message", "ü")), events);
    }

    @Test
    void dispatchesAFinalEventWithoutItsBlankLineButDropsAPartialLine() throws Exception {
        assertEquals(List.of(new SseReader.Event("message", "done")), read("data: done\n"));
        assertEquals(List.of(new SseReader.Event("message", "one")), read("data: one\n\ndata: {\"cut"));
    }

    @Test
    void stopsWhenTheHandlerSaysSo() throws Exception {
        List<String> seen = new ArrayList<>();
        boolean stopped = SseReader.read(
                new ByteArrayInputStream("data: 1\n\ndata: 2\n\ndata: 3\n\n".getBytes(StandardCharsets.UTF_8)),
                event -> {
                    seen.add(event.data());
                    return !event.data().equals("2");
                });

        assertTrue(stopped);
        assertEquals(List.of("1", "2"), seen);
        assertFalse(SseReader.read(new ByteArrayInputStream(new byte[0]), event -> true));
    }
}
