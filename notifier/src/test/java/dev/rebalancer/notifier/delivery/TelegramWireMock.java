package dev.rebalancer.notifier.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** The Telegram Bot API as WireMock plays it, in the shapes of the reference: {@code {"ok":…}} bodies. */
public class TelegramWireMock implements QuarkusTestResourceLifecycleManager {

    static final String TOKEN = "123456:test-token";
    static final String CHAT = "4242";
    static final String SEND_MESSAGE = "/bot" + TOKEN + "/sendMessage";
    private static final ObjectMapper JSON = new ObjectMapper();
    static WireMockServer server;

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(options().dynamicPort().extensions(new CutDatabase()));
        server.start();
        answerOk();
        return Map.of("notifier.telegram.bot-token", TOKEN, "notifier.telegram.chat-id", CHAT,
                "notifier.telegram.api-url", server.baseUrl());
    }

    @Override
    public void stop() {
        server.stop();
    }

    static MappingBuilder sendMessage() {
        return post(urlPathEqualTo(SEND_MESSAGE));
    }

    /** Every sendMessage succeeds, as Telegram answers it. */
    static void answerOk() {
        server.resetAll();
        server.stubFor(sendMessage().willReturn(ok()));
    }

    static ResponseDefinitionBuilder ok() {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                {"ok":true,"result":{"message_id":1,"date":1795000000,"chat":{"id":4242,"type":"private"},"text":"x"}}""");
    }

    static ResponseDefinitionBuilder error(int code, String description, Integer retryAfter) {
        String parameters = retryAfter == null ? "" : ",\"parameters\":{\"retry_after\":" + retryAfter + "}";
        return aResponse().withStatus(code).withHeader("Content-Type", "application/json").withBody(
                "{\"ok\":false,\"error_code\":" + code + ",\"description\":\"" + description + "\"" + parameters + "}");
    }

    /**
     * {@code withTransformers(CutDatabase.NAME)}: the notifier's database made unreachable (its sessions ended) after
     * Telegram took the message and before the answer leaves: the sender cannot record what Telegram accepted.
     */
    static final class CutDatabase implements com.github.tomakehurst.wiremock.extension.ResponseTransformerV2 {
        static final String NAME = "cut-database";

        @Override
        public com.github.tomakehurst.wiremock.http.Response transform(
                com.github.tomakehurst.wiremock.http.Response response, ServeEvent serveEvent) {
            dev.rebalancer.testing.infra.PostgresServer.unreachable("notifier");
            return response;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return NAME;
        }
    }

    /** One sendMessage as it reached the Bot API. */
    record Call(Instant at, int status, JsonNode body) {
        String text() {
            return body.path("text").asText();
        }
    }

    /** Every sendMessage so far, oldest first. */
    static List<Call> calls() {
        return server.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().startsWith(SEND_MESSAGE))
                .sorted(Comparator.comparing((ServeEvent e) -> e.getRequest().getLoggedDate()))
                .map(e -> new Call(e.getRequest().getLoggedDate().toInstant(), e.getResponse().getStatus(),
                        read(e.getRequest().getBodyAsString())))
                .toList();
    }

    /** The sendMessage calls Telegram accepted, oldest first. */
    static List<Call> delivered() {
        return calls().stream().filter(c -> c.status() == 200).toList();
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
