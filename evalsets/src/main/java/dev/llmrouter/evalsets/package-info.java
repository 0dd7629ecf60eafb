/**
 * The evalsets module. See the module's README.md for what it holds and which issue brings the rest.
 */
package dev.llmrouter.evalsets;
