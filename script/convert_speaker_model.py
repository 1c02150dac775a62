"""Run by script/convert-speaker-model in a throwaway venv with torch and resemblyzer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import soundfile
import torch
from onnx import TensorProto, helper, numpy_helper
from resemblyzer import VoiceEncoder, audio

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "addon" / "wyoming_scribe" / "speakers" / "ge2e_resemblyzer.onnx"
HIDDEN = 256
OPSET = 17
REFERENCE = REPO / "tests" / "server" / "speaker_reference.json"
AUDIO = REPO.parent / "shared" / "assets" / "audio"
# 16 kHz recordings (no resampling to differ between decoders): two ARCTIC voices, the LibriVox
# Austen reader and LibriSpeech speaker 1089, two clips each.
REFERENCE_CLIPS = [
    "arctic/cmu_arctic_us_aew_a0001.wav",
    "arctic/cmu_arctic_us_aew_a0002.wav",
    "arctic/cmu_arctic_us_axb_a0004.wav",
    "arctic/cmu_arctic_us_axb_a0006.wav",
    "librivox_pocketsphinx/sense_and_sensibility_01_austen_64kb-0870.wav",
    "librivox_pocketsphinx/sense_and_sensibility_01_austen_64kb-0890.wav",
    "librispeech/1089-134686-0000.flac",
    "librispeech/1089-134691-0001.flac",
]


def _half(name: str, array: np.ndarray, nodes: list[onnx.NodeProto]) -> onnx.TensorProto:
    """A float16 initializer (half the file) and the node that casts it back to float32."""
    nodes.append(helper.make_node("Cast", [f"{name}_f16"], [name], to=TensorProto.FLOAT))
    return numpy_helper.from_array(array.astype(np.float16), f"{name}_f16")


def _torch_to_onnx_gates(array: np.ndarray) -> np.ndarray:
    """torch orders an LSTM's gates i f g o, ONNX i o f c."""
    i, f, g, o = np.split(array, 4, axis=0)
    return np.concatenate([i, o, f, g], axis=0)


def convert(encoder: VoiceEncoder) -> None:
    """mels (batch, 160, 40) → raw embeddings (batch, 256): 3 LSTM layers, linear, ReLU."""
    state = {name: tensor.numpy() for name, tensor in encoder.state_dict().items()}
    nodes: list[onnx.NodeProto] = []
    weights: list[onnx.TensorProto] = []
    nodes.append(helper.make_node("Transpose", ["mels"], ["x0"], perm=[1, 0, 2]))
    for layer in range(3):
        w = _torch_to_onnx_gates(state[f"lstm.weight_ih_l{layer}"])[None]
        r = _torch_to_onnx_gates(state[f"lstm.weight_hh_l{layer}"])[None]
        bias = np.concatenate(
            [
                _torch_to_onnx_gates(state[f"lstm.bias_ih_l{layer}"]),
                _torch_to_onnx_gates(state[f"lstm.bias_hh_l{layer}"]),
            ]
        )[None]
        weights += [
            _half(f"w{layer}", w, nodes),
            _half(f"r{layer}", r, nodes),
            _half(f"b{layer}", bias, nodes),
        ]
        outputs = [f"y{layer}", f"h{layer}"]
        nodes.append(
            helper.make_node(
                "LSTM",
                [f"x{layer}", f"w{layer}", f"r{layer}", f"b{layer}"],
                outputs,
                hidden_size=HIDDEN,
            )
        )
        # Y is (seq, directions, batch, H): drop the direction axis for the next layer.
        nodes.append(helper.make_node("Squeeze", [f"y{layer}", "axis1"], [f"x{layer + 1}"]))
    weights.append(numpy_helper.from_array(np.array([0], np.int64), "axis0"))
    weights.append(numpy_helper.from_array(np.array([1], np.int64), "axis1"))
    weights.append(_half("linear_w", state["linear.weight"].T, nodes))
    weights.append(_half("linear_b", state["linear.bias"], nodes))
    nodes += [
        helper.make_node("Squeeze", ["h2", "axis0"], ["last"]),
        helper.make_node("MatMul", ["last", "linear_w"], ["projected"]),
        helper.make_node("Add", ["projected", "linear_b"], ["biased"]),
        helper.make_node("Relu", ["biased"], ["embeddings"]),
    ]
    graph = helper.make_graph(
        nodes,
        "ge2e_speaker_encoder",
        [helper.make_tensor_value_info("mels", TensorProto.FLOAT, ["batch", 160, 40])],
        [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", HIDDEN])],
        weights,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    model.doc_string = (
        "GE2E speaker encoder, pretrained weights of resemblyzer 0.1.4 (Apache-2.0), "
        "converted by script/convert-speaker-model"
    )
    onnx.checker.check_model(model)
    onnx.save(model, MODEL)
    print(f"{MODEL.relative_to(REPO)}: {MODEL.stat().st_size / 1e6:.1f} MB")


def references(encoder: VoiceEncoder) -> None:
    embeddings = {}
    for clip in REFERENCE_CLIPS:
        wav, rate = soundfile.read(AUDIO / clip, dtype="float32")
        assert rate == 16000, clip
        wav = audio.normalize_volume(wav, audio.audio_norm_target_dBFS, increase_only=True)
        embedding = encoder.embed_utterance(wav.astype(np.float32))
        embeddings[clip] = [round(float(x), 6) for x in embedding]
    REFERENCE.write_text(json.dumps(embeddings, indent=0) + "\n")
    print(f"{REFERENCE.relative_to(REPO)}: {len(embeddings)} embeddings")


def main() -> None:
    torch.set_num_threads(1)
    encoder = VoiceEncoder("cpu", verbose=False)
    convert(encoder)
    references(encoder)


if __name__ == "__main__":
    main()
