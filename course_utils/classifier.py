"""Our own classifier head and the model files (lessons 6-7, 10).

* :class:`BertClassifier`: an encoder, dropout and one linear layer on the pooled output;
* :func:`save_model` / :func:`load_model`: a model and its tokenizer in one folder (ours or a
  transformers classifier); :func:`count_parameters`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from . import checks

HEAD_FILE = "classifier_head.json"


class BertClassifier(nn.Module):
    """Lesson 6: an encoder, dropout and one linear layer on the pooled output (the seed's ``BERT_classifier``).

    ``pooling``: "pooler" (BERT's tanh layer over [CLS]; falls back to [CLS] for encoders without
    one, such as DistilBERT), "cls" (the [CLS] hidden state) or "mean" (mean over real tokens).
    ``forward`` returns an object with ``.logits`` (and ``.loss`` when ``labels`` are given), like
    ``AutoModelForSequenceClassification``, so the Trainer and :func:`train_loop` accept it.
    """

    POOLINGS = ("pooler", "cls", "mean")

    def __init__(
        self,
        encoder: nn.Module,
        num_labels: int,
        dropout: float = 0.1,
        pooling: str = "pooler",
        id2label: dict[int, str] | None = None,
    ) -> None:
        super().__init__()
        checks.model("encoder", encoder)
        if getattr(encoder, "base_model", encoder) is not encoder:
            raise TypeError(f"encoder is a {type(encoder).__name__}, a model with a head: pass its encoder "
                            "(model.base_model) or AutoModel.from_pretrained(...).")
        checks.integer("num_labels", num_labels, minimum=2)
        checks.number("dropout", dropout, minimum=0, maximum=1)
        checks.one_of("pooling", pooling, self.POOLINGS)
        if id2label is not None:
            if not isinstance(id2label, Mapping):
                raise TypeError(
                    f"id2label must be a dict {{0: 'negative', 1: 'positive'}}, not {type(id2label).__name__}."
                )
            keys = sorted(int(k) for k in id2label)
            if keys != list(range(num_labels)):
                raise ValueError(f"id2label has keys {keys}: give one name for each class id 0..{num_labels - 1}.")
        self.encoder = encoder
        self.pooling = pooling
        self.num_labels = num_labels
        self.dropout_p = dropout
        self.id2label = {int(k): v for k, v in (id2label or {i: f"LABEL_{i}" for i in range(num_labels)}).items()}
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(encoder.config.hidden_size, num_labels)

    @classmethod
    def from_encoder(cls, name_or_path: str, num_labels: int, **kwargs: Any) -> BertClassifier:
        """Load a pretrained encoder (``AutoModel``) from a Hub name or a folder and put a fresh head on it."""
        from transformers import AutoModel

        if not isinstance(name_or_path, (str, Path)):
            raise TypeError(
                f"name_or_path must be a model name or folder (str or Path), not {type(name_or_path).__name__}: "
                "to wrap an encoder you have loaded, use BertClassifier(encoder, num_labels)."
            )
        name = checks.text("name_or_path", str(name_or_path))
        # a Hub name is "model" or "owner/model"; anything else is a folder, which must exist
        if isinstance(name_or_path, Path) or Path(name).is_absolute() or name.startswith(".") or name.count("/") > 1:
            checks.existing_path("name_or_path", name_or_path, kind="dir")
        checks.integer("num_labels", num_labels, minimum=2)
        return cls(AutoModel.from_pretrained(name_or_path), num_labels, **kwargs)

    @property
    def config(self) -> Any:
        return self.encoder.config

    def pool(self, outputs: Any, attention_mask: torch.Tensor | None) -> torch.Tensor:
        """One vector per example from the encoder's ``outputs`` (``self.encoder(**inputs)``)."""
        hidden = getattr(outputs, "last_hidden_state", None)
        if hidden is None:
            raise TypeError(
                f"outputs must be the encoder's output (self.encoder(**inputs)), not {type(outputs).__name__}."
            )
        if attention_mask is not None and tuple(attention_mask.shape) != tuple(hidden.shape[:2]):
            raise ValueError(f"attention_mask has shape {tuple(attention_mask.shape)}, the hidden states "
                             f"{tuple(hidden.shape[:2])}: pass the mask of the same batch.")
        if self.pooling == "pooler" and getattr(outputs, "pooler_output", None) is not None:
            return outputs.pooler_output
        if self.pooling == "mean":
            mask = torch.ones(hidden.shape[:2], device=hidden.device) if attention_mask is None else attention_mask
            mask = mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return hidden[:, 0]

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
    ) -> Any:
        from transformers.modeling_outputs import SequenceClassifierOutput

        if not isinstance(input_ids, torch.Tensor):
            raise TypeError(f"input_ids must be a tensor (tokenizer(..., return_tensors='pt')), not "
                            f"{type(input_ids).__name__}: call model(**inputs), not model(inputs).")
        if labels is not None and not isinstance(labels, torch.Tensor):
            raise TypeError(f"labels must be a tensor of class ids, not {type(labels).__name__}.")
        inputs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            inputs["token_type_ids"] = token_type_ids
        outputs = self.encoder(**inputs)
        logits = self.classifier(self.dropout(self.pool(outputs, attention_mask)))
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)

    def save_pretrained(self, path: str | Path) -> None:
        """The encoder in Hugging Face format, the head's weights and settings beside it."""
        path = checks.output_path("path", path)
        if path.is_file():
            raise ValueError(f"path={str(path)!r} is a file: pass a folder.")
        self.encoder.save_pretrained(path)
        torch.save(self.classifier.state_dict(), path / "classifier_head.pt")
        settings = {"num_labels": self.num_labels, "dropout": self.dropout_p, "pooling": self.pooling}
        (path / HEAD_FILE).write_text(json.dumps({**settings, "id2label": self.id2label}, indent=2))

    @classmethod
    def from_pretrained(cls, path: str | Path) -> BertClassifier:
        """Reload what :meth:`save_pretrained` wrote."""
        from transformers import AutoModel

        path = checks.existing_path("path", path, kind="dir")
        for name in (HEAD_FILE, "classifier_head.pt"):
            if not (path / name).is_file():
                raise FileNotFoundError(
                    f"{path / name} is missing: save the model with BertClassifier.save_pretrained."
                )
        settings = json.loads((path / HEAD_FILE).read_text())
        model = cls(AutoModel.from_pretrained(path), **settings)
        model.classifier.load_state_dict(torch.load(path / "classifier_head.pt", weights_only=True))
        return model.eval()


def save_model(model: nn.Module, tokenizer: Any, path: str | Path) -> Path:
    """Save a fine-tuned model and its tokenizer to ``path`` (a folder ``from_pretrained`` can read)."""
    checks.model("model", model)
    checks.tokenizer("tokenizer", tokenizer)
    path = checks.output_path("path", path)
    if path.is_file():
        raise ValueError(f"path={str(path)!r} is a file: pass a folder.")
    if not hasattr(model, "save_pretrained"):
        raise TypeError(
            f"model ({type(model).__name__}) has no save_pretrained: pass a transformers model or a BertClassifier."
        )
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt")


def load_model(path: str | Path, new_head: bool = False) -> tuple[nn.Module, Any]:
    """Reload what :func:`save_model` wrote: ``(model, tokenizer)``, in eval mode.

    A folder whose weights hold no classification head (a pretrained encoder, such as
    ``bundled_model_path()``) is refused, since its head would be random; pass ``new_head=True`` to
    get such a fresh, untrained head on purpose (to fine-tune it). A :class:`BertClassifier`
    folder always brings its saved head.
    """
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    path = checks.existing_path("path", path, kind="dir")
    checks.one_of("new_head", new_head, (True, False))
    if not (path / "config.json").is_file():
        raise FileNotFoundError(
            f"{path} holds no saved model (no config.json): call save_model(model, tokenizer, path) first."
        )
    if not any((path / name).is_file() for name in TOKENIZER_FILES):
        raise FileNotFoundError(
            f"{path} holds no tokenizer (none of {list(TOKENIZER_FILES)}): "
            "save with save_model(model, tokenizer, path)."
        )
    if (path / HEAD_FILE).is_file():
        model = BertClassifier.from_pretrained(path)
    else:
        model, info = AutoModelForSequenceClassification.from_pretrained(path, output_loading_info=True)
        missing = sorted(info["missing_keys"])
        if missing and not new_head:
            raise ValueError(
                f"{path} holds no fine-tuned classification head (its weights lack {missing}), so the model "
                "would answer at random: load a folder that save_model wrote after fine-tuning, or pass "
                "new_head=True for a fresh head to train."
            )
        model = model.eval()
    return model, AutoTokenizer.from_pretrained(path)


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """How many (trainable) parameters ``model`` (any torch module, a head too) has."""
    if not isinstance(model, nn.Module):
        hint = " (that is a tokenizer: pass the model)" if hasattr(model, "convert_tokens_to_ids") else ""
        raise TypeError(f"model must be a torch module (a model or a part such as model.classifier), "
                        f"not {type(model).__name__}{hint}.")
    checks.one_of("trainable_only", trainable_only, (True, False))
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
