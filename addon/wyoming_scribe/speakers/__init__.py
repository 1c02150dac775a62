"""Who spoke when: a speaker embedding per committed segment, clustered into "Speaker 1", … .

``features`` turns audio into the mel frames the encoder was trained on, ``encoder`` runs the
GE2E speaker encoder (resemblyzer's pretrained weights, converted to numpy by
``script/convert-speaker-model``), ``clustering`` groups embeddings into speakers and
``turns`` follows one meeting's segments as they are committed.
"""
