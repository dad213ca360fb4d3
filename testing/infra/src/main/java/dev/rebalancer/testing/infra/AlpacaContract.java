package dev.rebalancer.testing.infra;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Alpaca's published OpenAPI documents as a test oracle: an answer is checked against the schema the document gives
 * for that method, path and status (required fields, types, nullability, enums), and a failure names every field
 * that breaks it.
 *
 * <p>The documents are read from {@code ../shared/reference/alpaca-openapi/} beside the project (found by walking up
 * from the working directory), or from the folder named by the system property {@value #FOLDER_PROPERTY} or the
 * environment variable {@code ALPACA_OPENAPI_DIR}. Without them the calling test is skipped with a message saying so;
 * CI refuses to start without them ({@code .ci/run}), so there they are never skipped.
 */
public final class AlpacaContract {

    public static final String FOLDER_PROPERTY = "alpaca.openapi.dir";
    private static final String BESIDE_THE_PROJECT = "shared/reference/alpaca-openapi";
    private static final Map<String, AlpacaContract> DOCUMENTS = new ConcurrentHashMap<>();

    private final Path document;
    private final JsonNode tree;
    private final String id;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private AlpacaContract(Path document) {
        this.document = document;
        this.tree = new YAMLMapper().readTree(document.toFile());
        this.id = "https://alpaca-openapi.rebalancer.invalid/" + document.getFileName();
        String text = read(document);
        this.registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
                builder -> builder.schemas(Map.of(id, text)));
    }

    private static String read(Path document) {
        try {
            return Files.readString(document);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Alpaca's Trading API document: the contract the simulator imitates. Skips the test when it is not there. */
    public static AlpacaContract trading() {
        return named("trading.yaml");
    }

    /** Alpaca's Broker API document, whose {@code /v1/rebalancing/*} part portfolio-service follows. */
    public static AlpacaContract broker() {
        return named("broker.yaml");
    }

    private static AlpacaContract named(String file) {
        Optional<Path> folder = folder();
        Assumptions.assumeTrue(folder.isPresent(), "Alpaca's OpenAPI documents are not beside the project ("
                + "../" + BESIDE_THE_PROJECT + ", or -D" + FOLDER_PROPERTY + "): the contract test is skipped");
        return DOCUMENTS.computeIfAbsent(file, f -> new AlpacaContract(folder.get().resolve(f)));
    }

    /** The folder holding Alpaca's documents, if this checkout has it. */
    public static Optional<Path> folder() {
        String configured = System.getProperty(FOLDER_PROPERTY, System.getenv("ALPACA_OPENAPI_DIR"));
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            return Files.isRegularFile(path.resolve("trading.yaml")) ? Optional.of(path) : Optional.empty();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null && dir.getParent() != null; dir = dir.getParent()) {
            Path beside = dir.getParent().resolve(BESIDE_THE_PROJECT);
            if (Files.isRegularFile(beside.resolve("trading.yaml")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return Optional.of(beside);
            }
        }
        return Optional.empty();
    }

    /**
     * Fails unless {@code body} is what the document allows as the JSON answer to {@code method path} with
     * {@code status}; {@code path} is the document's template, e.g. {@code /v2/orders/{order_id}}.
     */
    public void assertAnswer(String method, String path, int status, String body) {
        String operation = "/paths/" + escape(path) + "/" + method.toLowerCase(Locale.ROOT);
        if (tree.at(operation).isMissingNode()) {
            throw new AssertionError(document.getFileName() + " has no " + method + " " + path);
        }
        String response = operation + "/responses/" + status;
        JsonNode answer = tree.at(response);
        if (answer.has("$ref")) {
            response = answer.get("$ref").asString().substring(1);
        }
        String schema = response + "/content/application~1json/schema";
        if (tree.at(schema).isMissingNode()) {
            throw new AssertionError(document.getFileName() + " documents no JSON schema for " + method + " " + path
                    + " " + status);
        }
        check(schema, method + " " + path + " " + status, body);
    }

    /** Fails unless {@code body} is an instance of the document's {@code components/schemas/<name>}. */
    public void assertSchema(String name, String body) {
        String schema = "/components/schemas/" + escape(name);
        if (tree.at(schema).isMissingNode()) {
            throw new AssertionError(document.getFileName() + " has no schema " + name);
        }
        check(schema, name, body);
    }

    private void check(String pointer, String what, String body) {
        Schema schema = schemas.computeIfAbsent(pointer, p -> registry.getSchema(
                SchemaLocation.of(id + "#" + p.replace("{", "%7B").replace("}", "%7D"))));
        List<Error> errors = schema.validate(body, InputFormat.JSON);
        if (!errors.isEmpty()) {
            throw new AssertionError(document.getFileName() + ": the answer breaks " + what + ":\n  "
                    + errors.stream().map(e -> e.getInstanceLocation() + " " + e.getMessage())
                            .collect(Collectors.joining("\n  "))
                    + "\nanswer: " + body);
        }
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
