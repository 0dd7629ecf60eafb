package dev.llmrouter.evalsets;

import dev.llmrouter.provider.Completion;
import dev.llmrouter.provider.ErrorKind;
import dev.llmrouter.provider.ProviderCall;
import dev.llmrouter.provider.ProviderClient;
import dev.llmrouter.provider.ProviderFailure;
import dev.llmrouter.provider.StreamSink;
import dev.llmrouter.provider.Usage;
import java.util.List;
import java.util.Map;

/**
 * A provider that answers from labelled records: the model's recorded answer text, tokens and (through
 * {@link EvalPair#costOf}) cost. The record is found by the request's {@value #RECORD_KEY} metadata, which
 * {@link Replay} sets. Where a record holds no answer text the answer is {@value #NO_TEXT}, which a gate can
 * check for nothing but emptiness.
 */
final class ReplayProvider implements ProviderClient {
    static final String RECORD_KEY = "eval_record";
    static final String NO_TEXT = "(the record holds no answer text)";

    private final Map<String, LabelledRecord> records;
    private final Pricing pricing;

    ReplayProvider(Map<String, LabelledRecord> records, Pricing pricing) {
        this.records = records;
        this.pricing = pricing;
    }

    @Override
    public Completion complete(ProviderCall call) throws ProviderFailure {
        String id = call.request().metadata().get(RECORD_KEY);
        LabelledRecord record = id == null ? null : records.get(id);
        if (record == null) {
            throw new ProviderFailure(ErrorKind.BAD_REQUEST, "the replay provider got a request for no known record");
        }
        LabelledRecord.Outcome outcome = record.outcomes().get(call.upstreamModel());
        if (outcome == null) {
            throw new ProviderFailure(
                    ErrorKind.BAD_REQUEST, "record " + id + " has no outcome for model " + call.upstreamModel());
        }
        Usage usage = new Usage(
                Pricing.inputTokens(record, outcome),
                pricing.outputTokens(outcome),
                outcome.inputTokens().isEmpty());
        return new Completion(
                outcome.response().orElse(NO_TEXT), "stop", List.of(), usage, List.of(), call.upstreamModel());
    }

    @Override
    public Completion stream(ProviderCall call, StreamSink sink) throws ProviderFailure {
        Completion answer = complete(call);
        sink.onText(answer.text());
        return answer;
    }
}
