"""Column layouts of the artifact kinds that more than one step reads.

Each kind has a schema version, stored in its manifest and Parquet metadata;
change the version whenever a column is added, removed or changes meaning.
Steps may add columns beyond these; readers rely only on the ones listed.

Label convention: `y` is 1 for the positive class (attack, phishing) and 0 for
the negative class (benign, legitimate). `label` is the class name as text.
"""

from __future__ import annotations

# kind -> (schema version, {column: description})
SAMPLES = 1
SAMPLES_COLUMNS = {
    "sample_id": "sha256 digest of the normalised record content (stable across runs)",
    "dataset": "dataset name, e.g. unsw",
    "split": "train, dev or test",
    "label": "class name: attack/benign or phishing/legitimate",
    "y": "int8, 1 for the positive class, 0 for the negative class",
    "category": "attack category (UNSW class, NSL-KDD family, normal); null for email",
    "text": "email subject and body as the model sees it; null for flows",
    # flow datasets add their feature columns; the samples manifest's meta lists
    # them under feature_columns / categorical_columns
}

PROMPTS = 1
PROMPTS_COLUMNS = {
    "prompt_id": "sha256 digest of (template name, version, system, user)",
    "sample_id": "the sample this prompt renders",
    "split": "split of the sample (the evaluated split, normally test)",
    "label": "true class name",
    "y": "int8 true class, 1 positive",
    "category": "true attack category or null",
    "template": "template name, e.g. zero-shot",
    "template_version": "int version of that template",
    "system": "system message text",
    "user": "user message text",
    "few_shot_ids": "list<string> sample_ids of the few-shot examples (train split)",
}

RESPONSES = 1
RESPONSES_COLUMNS = {
    "row_key": "digest of (model_id, settings, system, user, template_version)",
    "prompt_id": "prompt answered",
    "sample_id": "sample of that prompt",
    "y_true": "int8 true class",
    "category_true": "true category or null",
    "model": "model spec as the user gave it, e.g. llamacpp:qwen2.5-coder-0.5b",
    "model_id": "resolved model id and revision or file digest",
    "raw_text": "the model's reply, unmodified; null on error",
    "label": "parsed class name or null",
    "y_pred": "int8 parsed class (1 positive) or null when unparsed",
    "confidence": "float in [0, 1]: the model's stated confidence in its own label, "
    "or null",
    "p_positive": "float in [0, 1]: probability of the positive class (confidence when "
    "y_pred is 1, 1 - confidence when 0; predict_proba for baselines), or null",
    "category": "parsed category or null",
    "explanation": "parsed short explanation or null",
    "parse_status": "ok, repaired, refused, empty, truncated, unparseable, error",
    "finish_reason": "stop, length, content_filter, error, ...",
    "latency_s": "float seconds for the request, retries included",
    "tokens_in": "int prompt tokens or null",
    "tokens_out": "int completion tokens or null",
    "cost_usd": "float cost from the price table, or null when unknown",
    "error_class": "null, or the error class name when the request failed",
    "error_message": "null, or a one-line error message (never a secret)",
}

JUDGMENTS = 1
JUDGMENTS_COLUMNS = {
    "row_key": "digest of (judge_model_id, rubric_version, response row_key)",
    "response_row_key": "row_key of the response rated",
    "prompt_id": "prompt of that response",
    "sample_id": "sample of that response",
    "judge_model": "judge model spec as the user gave it",
    "judge_model_id": "resolved judge model id",
    "rubric_version": "int version of the rubric in cybench.judge.rubric",
    "faithfulness": "int8 1-5: cites only features the record contains; null unless ok",
    "reasoning": "int8 1-5: security reasoning is correct; null unless ok",
    "usefulness": "int8 1-5: an analyst could act on it; null unless ok",
    "rationale": "the judge's one-sentence reason, or null",
    "raw_text": "the judge's reply, unmodified; null when no request was sent",
    "parse_status": "ok, empty, unparseable, incomplete, out_of_range, "
    "no_explanation (nothing to rate, no request), error",
    "error_class": "null, or the error class name when the judge request failed",
    "error_message": "null, or a one-line error message (never a secret)",
    "latency_s": "float seconds for the judge request",
}
SCORES = 1
SCORES_COLUMNS = {
    "slice": "overall, or category:NAME for a per-category slice",
    "policy": "all (parse failures count as wrong) or parsed (parsed replies only)",
    "metric": "metric name, e.g. f1, recall, roc_auc, fpr, latency_p50_s",
    "value": "float value; null when undefined for this slice",
    "ci_low": "lower bound of the 95% bootstrap interval, or null",
    "ci_high": "upper bound of the 95% bootstrap interval, or null",
    "n": "number of responses in the slice under this policy",
}
