package dev.llmrouter.features;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks of an answer against its prompt that hashed n-grams cannot see, the answer gate's first columns:
 * whether the arithmetic written in the answer is right when re-computed, whether it ends in a marked final
 * answer, whether that answer is a whole number, how many of the prompt's numbers the answer never uses,
 * hedging, and plain lengths. Each value lies in [0, 1]. Stateless and thread-safe.
 */
public final class AnswerChecks {
    /** The check columns' names, alphabetical (their column order). */
    public static final List<String> NAMES = List.of(
            "a_arith_checked",
            "a_arith_wrong",
            "a_arith_wrong_any",
            "a_ends_with_number",
            "a_final_in_prompt",
            "a_final_marked",
            "a_final_not_whole",
            "a_hedges",
            "a_length",
            "a_prompt_length",
            "a_prompt_numbers_unused");

    private static final Pattern NUMBER = Pattern.compile("(?<![\\d.])-?\\d+(?:,\\d{3})*(?:\\.\\d+)?");
    private static final Pattern FINAL = Pattern.compile(
            "(?:####|answer is|answer:|\\\\boxed\\{)\\s*\\$?\\s*(-?\\d+(?:,\\d{3})*(?:\\.\\d+)?)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern HEDGE = Pattern.compile(
            "\\b(?:however|assum(?:e|es|ed|ing)|approximately|round(?:ed|ing)?|cannot|can't|not possible|actually"
                    + "|wait|mistake|incorrect|sorry|unclear|not sure)\\b");
    private static final String EXPRESSION_CHARS = "0123456789.,+-*/×÷()%$ ";

    private AnswerChecks() {}

    /** The values of {@link #NAMES} for {@code answer} to {@code prompt}. */
    public static float[] of(String prompt, String answer) {
        Arithmetic arithmetic = arithmetic(answer);
        List<Double> answerNumbers = numbers(answer);
        Matcher marked = FINAL.matcher(answer);
        Double last = null;
        boolean isMarked = false;
        while (marked.find()) {
            last = parse(marked.group(1));
            isMarked = true;
        }
        if (last == null && !answerNumbers.isEmpty()) {
            last = answerNumbers.getLast();
        }
        Set<Double> promptNumbers = new HashSet<>(numbers(prompt));
        Set<Double> used = new HashSet<>(answerNumbers);
        long unused = promptNumbers.stream().filter(n -> !used.contains(n)).count();
        String trimmed = answer.strip();
        boolean endsWithNumber = !trimmed.isEmpty() && Character.isDigit(trimmed.charAt(trimmed.length() - 1));
        long hedges = HEDGE.matcher(answer.toLowerCase(Locale.ROOT)).results().count();
        // alphabetical, as NAMES
        return new float[] {
            squash(Math.log1p(arithmetic.checked()) / Math.log1p(20)),
            squash(arithmetic.wrong() / 3.0),
            arithmetic.wrong() > 0 ? 1 : 0,
            endsWithNumber ? 1 : 0,
            last != null && promptNumbers.contains(last) ? 1 : 0,
            isMarked ? 1 : 0,
            last != null && Math.abs(last - Math.rint(last)) > 1e-9 ? 1 : 0,
            squash(hedges / 3.0),
            squash(answer.length() / 2000.0),
            squash(prompt.length() / 2000.0),
            promptNumbers.isEmpty() ? 0 : (float) unused / promptNumbers.size()
        };
    }

    /** How many equations the answer writes whose left side is arithmetic, and how many of them are wrong. */
    public record Arithmetic(int checked, int wrong) {}

    /** The equations of {@code text} whose left side is arithmetic, re-computed. */
    public static Arithmetic arithmetic(String text) {
        int checked = 0;
        int wrong = 0;
        for (int eq = text.indexOf('='); eq >= 0; eq = text.indexOf('=', eq + 1)) {
            int from = eq;
            while (from > 0 && EXPRESSION_CHARS.indexOf(text.charAt(from - 1)) >= 0) {
                from--;
            }
            int to = eq + 1;
            while (to < text.length() && EXPRESSION_CHARS.indexOf(text.charAt(to)) >= 0) {
                to++;
            }
            // the left side starts at its first digit, parenthesis, sign or dollar: a comma or full stop before
            // it ends the sentence before the calculation
            while (from < eq && "0123456789(-$".indexOf(text.charAt(from)) < 0) {
                from++;
            }
            String left = text.substring(from, eq);
            String right = text.substring(eq + 1, to);
            if (!hasOperator(left)) {
                continue;
            }
            Double lhs = Expression.value(left);
            Double rhs = Expression.value(right);
            Matcher first = NUMBER.matcher(right.replace("$", ""));
            String shown = first.find() ? first.group() : null;
            if (lhs == null || shown == null) {
                continue;
            }
            checked++;
            // a chain "a + b = c = d" or "= c + d" is right when either its first number or its whole
            // right side is the left's value
            if (!close(lhs, parse(shown), shown) && !close(lhs, rhs, shown)) {
                wrong++;
            }
        }
        return new Arithmetic(checked, wrong);
    }

    private static boolean hasOperator(String expression) {
        String s = expression.strip();
        for (int i = 1; i < s.length(); i++) {
            if ("+-*/×÷".indexOf(s.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Equal up to the rounding the shown result implies (half a unit of its last decimal), or 0.5%. */
    private static boolean close(double computed, Double shown, String shownText) {
        if (shown == null) {
            return false;
        }
        int dot = shownText.indexOf('.');
        int decimals = dot < 0 ? 0 : shownText.length() - dot - 1;
        double tolerance = Math.max(0.5 * Math.pow(10, -decimals) + 1e-9, Math.abs(shown) * 0.005);
        return Math.abs(computed - shown) <= tolerance;
    }

    private static List<Double> numbers(String text) {
        List<Double> out = new ArrayList<>();
        Matcher m = NUMBER.matcher(text);
        while (m.find()) {
            Double v = parse(m.group());
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    private static Double parse(String number) {
        try {
            return Double.parseDouble(number.replace(",", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static float squash(double v) {
        return (float) Math.max(0, Math.min(1, v));
    }

    /**
     * A recursive-descent reader of the arithmetic answers write: numbers (with thousands commas and a
     * dollar sign), + - * / × ÷, a postfix percent, parentheses and unary minus. {@code null} for anything
     * else, so prose is never mistaken for a calculation.
     */
    static final class Expression {
        private final String s;
        private int pos;

        private Expression(String s) {
            this.s = s.replace("$", "").replace(" ", "");
        }

        static Double value(String text) {
            Expression e = new Expression(text);
            if (e.s.isEmpty()) {
                return null;
            }
            try {
                double v = e.sum();
                // a trailing full stop or comma is the sentence's, not the number's
                while (e.pos < e.s.length() && (e.s.charAt(e.pos) == '.' || e.s.charAt(e.pos) == ',')) {
                    e.pos++;
                }
                return e.pos == e.s.length() && Double.isFinite(v) ? v : null;
            } catch (IllegalStateException | NumberFormatException ex) {
                return null;
            }
        }

        private double sum() {
            double v = product();
            while (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                char op = s.charAt(pos++);
                double r = product();
                v = op == '+' ? v + r : v - r;
            }
            return v;
        }

        private double product() {
            double v = unary();
            while (pos < s.length() && "*/×÷".indexOf(s.charAt(pos)) >= 0) {
                char op = s.charAt(pos++);
                double r = unary();
                v = op == '*' || op == '×' ? v * r : v / r;
            }
            return v;
        }

        private double unary() {
            if (pos < s.length() && s.charAt(pos) == '-') {
                pos++;
                return -unary();
            }
            double v;
            if (pos < s.length() && s.charAt(pos) == '(') {
                pos++;
                v = sum();
                if (pos >= s.length() || s.charAt(pos) != ')') {
                    throw new IllegalStateException("unbalanced");
                }
                pos++;
            } else {
                v = number();
            }
            while (pos < s.length() && s.charAt(pos) == '%') {
                pos++;
                v /= 100;
            }
            return v;
        }

        private double number() {
            Matcher m = NUMBER.matcher(s).region(pos, s.length());
            if (!m.lookingAt() || m.group().startsWith("-")) {
                throw new IllegalStateException("no number at " + pos);
            }
            pos = m.end();
            return Double.parseDouble(m.group().replace(",", ""));
        }
    }
}
