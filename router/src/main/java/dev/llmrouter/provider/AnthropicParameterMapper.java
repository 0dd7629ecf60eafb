package dev.llmrouter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Json;
import java.util.Map;
import java.util.Optional;

/**
 * Converts the OpenAI request parameters Anthropic has an equivalent for: {@code temperature} (clamped to
 * Anthropic's 0..1), {@code top_p}, {@code top_k}, {@code stop}, {@code tools} / legacy {@code functions},
 * {@code tool_choice} / legacy {@code function_call}, {@code parallel_tool_calls} and {@code user}. Every
 * other parameter is dropped; {@link AnthropicClient} lists them.
 */
final class AnthropicParameterMapper {
    private final String provider;

    AnthropicParameterMapper(String provider) {
        this.provider = provider;
    }

    void addParameters(ChatRequest request, ObjectNode body) throws ProviderFailure {
        Map<String, JsonNode> parameters = request.parameters();
        JsonNode temperature = parameters.get("temperature");
        if (temperature != null && temperature.isNumber()) {
            body.put("temperature", Math.max(0.0, Math.min(1.0, temperature.asDouble())));
        }
        copyNumber(parameters, "top_p", body);
        copyNumber(parameters, "top_k", body);
        addStop(parameters.get("stop"), body);
        ArrayNode tools = tools(parameters);
        if (!tools.isEmpty()) {
            body.set("tools", tools);
            toolChoice(parameters).ifPresent(choice -> body.set("tool_choice", choice));
        }
        JsonNode user = parameters.get("user");
        if (user != null && user.isTextual() && !user.asText().isBlank()) {
            body.putObject("metadata").put("user_id", user.asText());
        }
    }

    private static void copyNumber(Map<String, JsonNode> parameters, String name, ObjectNode body) {
        JsonNode value = parameters.get(name);
        if (value != null && value.isNumber()) {
            body.set(name, value);
        }
    }

    private void addStop(JsonNode stop, ObjectNode body) throws ProviderFailure {
        if (stop == null || stop.isNull()) {
            return;
        }
        ArrayNode sequences = Json.MAPPER.createArrayNode();
        if (stop.isTextual()) {
            sequences.add(stop.asText());
        } else if (stop.isArray()) {
            for (JsonNode sequence : stop) {
                if (!sequence.isTextual()) {
                    throw badRequest("stop: expected a string or a list of strings");
                }
                sequences.add(sequence.asText());
            }
        } else {
            throw badRequest("stop: expected a string or a list of strings");
        }
        if (!sequences.isEmpty()) {
            body.set("stop_sequences", sequences);
        }
    }

    private ArrayNode tools(Map<String, JsonNode> parameters) throws ProviderFailure {
        ArrayNode tools = Json.MAPPER.createArrayNode();
        JsonNode openAiTools = parameters.get("tools");
        if (openAiTools != null && openAiTools.isArray()) {
            for (int t = 0; t < openAiTools.size(); t++) {
                JsonNode tool = openAiTools.get(t);
                String type = tool.path("type").asText("function");
                if (!type.equals("function") || !tool.path("function").isObject()) {
                    throw badRequest(
                            "tools[" + t + "]: only {type: function, function: {...}} tools can be sent to Anthropic");
                }
                tools.add(tool(tool.get("function"), "tools[" + t + "].function"));
            }
        }
        JsonNode functions = parameters.get("functions");
        if (functions != null && functions.isArray()) {
            for (int f = 0; f < functions.size(); f++) {
                tools.add(tool(functions.get(f), "functions[" + f + "]"));
            }
        }
        return tools;
    }

    private ObjectNode tool(JsonNode function, String where) throws ProviderFailure {
        String name = function.path("name").asText("");
        if (name.isEmpty()) {
            throw badRequest(where + ".name: a tool needs a name");
        }
        ObjectNode tool = Json.MAPPER.createObjectNode();
        tool.put("name", name);
        JsonNode description = function.get("description");
        if (description != null && description.isTextual()) {
            tool.put("description", description.asText());
        }
        JsonNode schema = function.get("parameters");
        if (schema != null && schema.isObject()) {
            tool.set("input_schema", schema.deepCopy());
        } else {
            ObjectNode empty = tool.putObject("input_schema");
            empty.put("type", "object");
            empty.putObject("properties");
        }
        return tool;
    }

    private Optional<ObjectNode> toolChoice(Map<String, JsonNode> parameters) throws ProviderFailure {
        JsonNode choice = parameters.get("tool_choice");
        if (choice == null || choice.isNull()) {
            choice = parameters.get("function_call");
        }
        ObjectNode converted = Json.MAPPER.createObjectNode();
        if (choice == null || choice.isNull()) {
            converted = null;
        } else if (choice.isTextual()) {
            switch (choice.asText()) {
                case "auto" -> converted.put("type", "auto");
                case "none" -> converted.put("type", "none");
                case "required", "any" -> converted.put("type", "any");
                default ->
                    throw badRequest(
                            "tool_choice: expected auto, none, required or {function: {name}}, got " + choice.asText());
            }
        } else {
            String name = choice.path("function")
                    .path("name")
                    .asText(choice.path("name").asText(""));
            if (name.isEmpty()) {
                throw badRequest("tool_choice: expected auto, none, required or {function: {name}}");
            }
            converted.put("type", "tool");
            converted.put("name", name);
        }
        JsonNode parallel = parameters.get("parallel_tool_calls");
        if (parallel != null && parallel.isBoolean() && !parallel.asBoolean()) {
            if (converted == null) {
                converted = Json.MAPPER.createObjectNode().put("type", "auto");
            }
            if (!converted.path("type").asText().equals("none")) {
                converted.put("disable_parallel_tool_use", true);
            }
        }
        return Optional.ofNullable(converted);
    }

    private ProviderFailure badRequest(String message) {
        return new ProviderFailure(ErrorKind.BAD_REQUEST, provider + ": " + message);
    }
}
