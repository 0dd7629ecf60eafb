package dev.llmrouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's settings: the shipped file, environment overrides, and every wrong value named by its key. */
class ServerSettingsTest {
    @TempDir
    Path dir;

    @Test
    void theShippedConfigIsTheKeylessSimulatedDefault() {
        ServerSettings s = ServerSettings.load(Path.of("../config/server.yaml"), Map.of(), dir);
        assertEquals(8080, s.api().port());
        assertEquals(new ServerSettings.Listen("127.0.0.1", 8081), s.management());
        assertEquals("simulated", s.providers());
        assertEquals(List.of(), s.apiKeys());
        assertEquals(List.of(), s.adminKeys());
        assertEquals("hash", s.trace().orElseThrow().prompts());
        assertTrue(s.tcpNoDelay());
        assertEquals(dir.resolve("config/catalog.yaml"), s.catalog());
    }

    @Test
    void theEnvironmentOverridesTheFile() {
        ServerSettings s = ServerSettings.load(
                Path.of("../config/server.yaml"),
                Map.of(
                        "LLM_ROUTER_PORT", "9999",
                        "LLM_ROUTER_API_KEYS", "a, b",
                        "LLM_ROUTER_PROVIDERS", "real",
                        "LLM_ROUTER_TRACE_PROMPTS", "full"),
                dir);
        assertEquals(9999, s.api().port());
        assertEquals(List.of("a", "b"), s.apiKeys());
        assertEquals("real", s.providers());
        assertEquals("full", s.trace().orElseThrow().prompts());
    }

    @Test
    void theOldPolicyStoreKeyNamesItsReplacement() throws Exception {
        Path file = Files.writeString(dir.resolve("old.yaml"), "router: {policy_store: state/accepted-policy.json}\n");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> ServerSettings.load(file, Map.of(), dir));
        org.junit.jupiter.api.Assertions.assertTrue(
                e.getMessage().contains("router.policy_store: replaced by router.state_dir"), e.getMessage());
        assertEquals(
                dir.resolve("state"),
                ServerSettings.load(Path.of("../config/server.yaml"), Map.of(), dir)
                        .stateDir()
                        .orElseThrow());
    }

    @Test
    void everyWrongSettingIsListedWithItsKey() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), """
                server: {port: 70000, colour: blue}
                router:
                  providers: mock
                  device: tpu
                  trace: {prompts: some}
                  simulated: {error_rate: 2}
                """);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ServerSettings.load(file, Map.of(), dir));
        for (String expected : List.of(
                "refused with 6 errors",
                "server.colour: unknown setting (known: allowed_hosts, host, limits, management, port, tcp_no_delay)",
                "server.port: must be 0 to 65535, got 70000",
                "router.providers: expected simulated or real, got 'mock'",
                "router.device: expected auto, cpu or gpu, got 'tpu'",
                "router.trace.prompts: expected full, hash or none, got 'some'",
                "router.simulated: simulated error_rate must be between 0 and 1, got 2.0")) {
            assertTrue(e.getMessage().contains(expected), expected + " in: " + e.getMessage());
        }
    }

    @Test
    void anEmptyKeyVariableNeverOpensTheApi() throws Exception {
        Path file = Files.writeString(dir.resolve("keys.yaml"), "router: {api_keys: [k1], admin_keys: [a1]}\n");
        for (String empty : List.of("", "  ", ",")) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> ServerSettings.load(file, Map.of("LLM_ROUTER_API_KEYS", empty), dir));
            assertTrue(e.getMessage().contains("router.api_keys (from LLM_ROUTER_API_KEYS)"), e.getMessage());
        }
        IllegalArgumentException admin = assertThrows(
                IllegalArgumentException.class,
                () -> ServerSettings.load(file, Map.of("LLM_ROUTER_ADMIN_KEYS", ""), dir));
        assertTrue(admin.getMessage().contains("holds no key"), admin.getMessage());
        assertEquals(List.of("k1"), ServerSettings.load(file, Map.of(), dir).apiKeys(), "unset: the file's keys");
    }

    @Test
    void aBlankKeyInTheFileIsRefusedWithItsPath() throws Exception {
        Path file = Files.writeString(dir.resolve("blank.yaml"), "router: {api_keys: [k1, \"\", \" \"]}\n");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ServerSettings.load(file, Map.of(), dir));
        assertTrue(e.getMessage().contains("router.api_keys[1]: a blank key"), e.getMessage());
        assertTrue(e.getMessage().contains("router.api_keys[2]: a blank key"), e.getMessage());
    }

    @Test
    void theSharedStateIsRedisOnlyWithAUriAndItsPasswordNeverReachesAnError() throws Exception {
        Path file = Files.writeString(dir.resolve("state.yaml"), "router: {state: {backend: redis}}\n");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ServerSettings.load(file, Map.of(), dir));
        assertTrue(
                e.getMessage().contains("router.state.redis.uri: required with router.state.backend: redis"),
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> ServerSettings.load(file, Map.of("LLM_ROUTER_REDIS_URI", "http://:s3cret@host:6379"), dir));
        assertTrue(e.getMessage().contains("expected redis://host:port"), e.getMessage());
        assertTrue(!e.getMessage().contains("s3cret"), e.getMessage());
        ServerSettings s =
                ServerSettings.load(file, Map.of("LLM_ROUTER_REDIS_URI", "redis://:s3cret@10.0.0.5:6379"), dir);
        assertEquals("redis://:s3cret@10.0.0.5:6379", s.redis().orElseThrow().uri());
        assertTrue(!s.toString().contains("s3cret"), "the settings never print the password: " + s);
        assertEquals("{llm-router}:", s.redis().orElseThrow().keyPrefix());
        assertEquals(java.time.Duration.ofSeconds(1), s.redis().orElseThrow().timeout());
        assertEquals(
                java.util.Optional.empty(),
                ServerSettings.load(Path.of("../config/server.yaml"), Map.of(), dir)
                        .redis(),
                "the shipped config keeps state in memory");
    }

    @Test
    void limitsAndTraceRetentionAreRead() throws Exception {
        Path file = Files.writeString(dir.resolve("limits.yaml"), """
                server:
                  limits: {header_timeout: 2s, body_timeout: 1m, max_requests_per_client: 8}
                  tcp_no_delay: false
                router:
                  trace: {dir: t, max_total_bytes: 10000, max_age: 7d, prompt_salt: pepper}
                """);
        ServerSettings s = ServerSettings.load(file, Map.of(), dir);
        assertEquals(java.time.Duration.ofSeconds(2), s.limits().headerTimeout());
        assertEquals(java.time.Duration.ofMinutes(1), s.limits().bodyTimeout());
        assertEquals(8, s.limits().maxRequestsPerClient());
        assertEquals(false, s.tcpNoDelay());
        TraceLog.Settings trace = s.trace().orElseThrow();
        assertEquals(10000, trace.maxTotalBytes());
        assertEquals(java.time.Duration.ofDays(7), trace.maxAge());
        assertEquals(java.util.Optional.of("pepper"), trace.salt());
        assertEquals(
                java.util.Optional.of("salt"),
                ServerSettings.load(file, Map.of("LLM_ROUTER_TRACE_SALT", "salt"), dir)
                        .trace()
                        .orElseThrow()
                        .salt());
    }

    @Test
    void aMissingFileSaysHowToPassOne() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> ServerSettings.load(dir.resolve("none.yaml"), Map.of(), dir));
        assertTrue(e.getMessage().contains("pass one with --config FILE"), e.getMessage());
    }
}
