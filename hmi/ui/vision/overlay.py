"""A camera image with what the model saw drawn over it, for the live view and the
evidence gallery: the region of interest, the boxes with their label and score, the
anomaly heat map (translucent), and a frame round the image saying the result.

- ``frame_image(array)``: a BGR (or grey) uint8 numpy image as a ``QImage``, copied once,
  so that painting never touches numpy (convert once per new frame, not per paint);
- ``heat_image(anomaly_map)``: an anomaly map (0..1, or raw scores: scaled by their
  maximum) as a translucent ARGB ``QImage`` the size of the map;
- ``Overlays(roi, boxes, heat, result)``: what to draw over one image (frame pixels);
  ``Overlays.of_decision(decision)`` for a ``hmi.core.vision.Decision``,
  ``Overlays.of_item(item)`` for an ``EvidenceItem`` (ROI and boxes, no heat map);
- ``paint_image(painter, rect, image, overlays, theme, font_px)``: the image fitted into
  ``rect`` (aspect kept, centred) with its overlays; returns where the image went;
- ``OverlayView``: a widget showing one image with its overlays, fitted to its size, with
  ``clicked``; ``show(image, overlays)`` replaces what it shows.

Colours come from the theme: the amber of the lowest alarm priority that is not a
diagnostic marks what is abnormal (boxes, heat, a defect's frame); the ROI is outlined in
the dark outline grey; a good part's frame stays grey.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from hmi.ui.theme import Theme

Box = tuple[float, float, float, float, str, float]  # x0, y0, x1, y1, label, score
ABNORMAL = 3  # the alarm priority whose colour marks a defect or a part not inspected
HEAT_ALPHA = 170  # the opacity of the hottest point of a heat map (0..255)
HEAT_FLOOR = 0.15  # anomaly below this share of the map's range is left clear


def frame_image(array: np.ndarray | None) -> QImage:
    """``array`` (H x W x 3 BGR, H x W grey, or H x W x 4 BGRA; uint8) as a QImage of its
    own (a copy: the frame may be reused by the camera); a null image for None."""
    if array is None or array.size == 0:
        return QImage()
    data = np.ascontiguousarray(array if array.dtype == np.uint8 else np.clip(array, 0, 255))
    data = data.astype(np.uint8, copy=False)
    if data.ndim == 3 and data.shape[2] == 1:
        data = np.ascontiguousarray(data[:, :, 0])
    height, width = data.shape[:2]
    if data.ndim == 2:
        fmt = QImage.Format.Format_Grayscale8
    elif data.shape[2] == 4:
        fmt = QImage.Format.Format_ARGB32  # BGRA in memory on little-endian machines
    else:
        fmt = QImage.Format.Format_BGR888
    return QImage(data.data, width, height, data.strides[0], fmt).copy()


def heat_image(anomaly: np.ndarray | None, color: QColor | None = None) -> QImage | None:
    """An anomaly map as a translucent image: clear where the part is normal, ``color``
    (default amber) the more opaque the more anomalous; None for no map."""
    if anomaly is None:
        return None
    values = np.asarray(anomaly, dtype=np.float32)
    values = np.squeeze(values)
    if values.ndim != 2 or values.size == 0:
        return None
    values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    top = float(values.max())
    if top > 1.0:  # raw scores: their own maximum is the hottest
        values = values / top
    share = np.clip((values - HEAT_FLOOR) / (1.0 - HEAT_FLOOR), 0.0, 1.0)
    color = color or QColor(Theme().alarm[ABNORMAL])
    height, width = values.shape
    rgba = np.empty((height, width, 4), dtype=np.uint8)
    rgba[..., 0], rgba[..., 1], rgba[..., 2] = color.red(), color.green(), color.blue()
    rgba[..., 3] = (share * HEAT_ALPHA).astype(np.uint8)
    return QImage(rgba.data, width, height, width * 4, QImage.Format.Format_RGBA8888).copy()


@dataclass(frozen=True)
class Overlays:
    """What to draw over one image, in its pixels: ``roi`` (x, y, width, height), boxes,
    the heat map over the ROI (or the whole image), and the ``result`` (good | defect |
    uninspected | "" for a live frame) that the frame round the image says."""

    roi: tuple[int, int, int, int] | None = None
    boxes: tuple[Box, ...] = ()
    heat: QImage | None = None
    result: str = ""

    @classmethod
    def of_decision(cls, decision: Any, heat_color: QColor | None = None) -> Overlays:
        """A ``Decision``'s ROI, detections and anomaly map (the heat map made here, once)."""
        frame, inference = decision.frame, decision.inference
        boxes: tuple[Box, ...] = ()
        heat = None
        if inference is not None:
            boxes = tuple((*d.box, d.label, float(d.score)) for d in inference.detections)
            heat = heat_image(inference.anomaly_map, heat_color)
        roi = tuple(frame.roi) if frame is not None and frame.roi else None
        return cls(roi, boxes, heat, decision.result)  # type: ignore[arg-type]

    @classmethod
    def of_item(cls, item: Any) -> Overlays:
        """An ``EvidenceItem``'s ROI and boxes (its heat map is not kept on disk)."""
        boxes = tuple(
            (float(b[0]), float(b[1]), float(b[2]), float(b[3]), str(b[4]), float(b[5]))
            for b in item.boxes
        )
        roi = tuple(item.roi) if item.roi else None
        return cls(roi, boxes, None, item.result)  # type: ignore[arg-type]


def fitted(image_size: QSize, rect: QRectF) -> QRectF:
    """Where an image of ``image_size`` goes in ``rect``: as large as fits, centred."""
    if image_size.isEmpty() or rect.isEmpty():
        return QRectF()
    scale = min(rect.width() / image_size.width(), rect.height() / image_size.height())
    width, height = image_size.width() * scale, image_size.height() * scale
    return QRectF(
        rect.x() + (rect.width() - width) / 2, rect.y() + (rect.height() - height) / 2,
        width, height,
    )  # fmt: skip


def paint_image(
    painter: QPainter,
    rect: QRectF,
    image: QImage,
    overlays: Overlays,
    theme: Theme,
    font_px: float,
) -> QRectF:
    """``image`` fitted into ``rect`` with ``overlays`` over it; where the image went (an
    empty rect when there is no image: then only the frame of the result is drawn)."""
    target = fitted(image.size(), rect) if not image.isNull() else QRectF()
    abnormal = theme.alarm_color(ABNORMAL)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
    if not target.isEmpty():
        painter.drawImage(target, image)
        scale = target.width() / image.width()

        def mapped(x0: float, y0: float, x1: float, y1: float) -> QRectF:
            return QRectF(
                QPointF(target.x() + x0 * scale, target.y() + y0 * scale),
                QPointF(target.x() + x1 * scale, target.y() + y1 * scale),
            )

        roi = overlays.roi
        area = mapped(roi[0], roi[1], roi[0] + roi[2], roi[1] + roi[3]) if roi else target
        area = area.intersected(target)
        if overlays.heat is not None and not overlays.heat.isNull():
            painter.drawImage(area, overlays.heat)
        if roi:
            painter.setPen(QPen(theme.color("outline"), 2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(area)
        _paint_boxes(painter, overlays.boxes, mapped, theme, font_px, abnormal)
    _paint_result(painter, target if not target.isEmpty() else rect, overlays.result, theme)
    painter.restore()
    return target


def _paint_boxes(
    painter: QPainter,
    boxes: Sequence[Box],
    mapped: Any,
    theme: Theme,
    font_px: float,
    color: QColor,
) -> None:
    """Each box outlined in amber on a dark edge (seen on bright and dark metal), its
    label and score on an amber tag above it (inside the image where there is no room)."""
    if not boxes:
        return
    font = theme.font(max(10.0, font_px * 0.75), True)
    metrics = theme.metrics(font)
    painter.setFont(font)
    for x0, y0, x1, y1, label, score in boxes:
        box = mapped(x0, y0, x1, y1).normalized()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(theme.color("quality_mark"), 5))
        painter.drawRect(box)
        painter.setPen(QPen(color, 3))
        painter.drawRect(box)
        text = f"{label} {score:.2f}"
        width, height = metrics.horizontalAdvance(text) + 6, metrics.height()
        top = box.top() - height if box.top() - height >= 0 else box.top()
        tag = QRectF(box.left(), top, width, height)
        painter.fillRect(tag, color)
        painter.setPen(theme.alarm_text_color(ABNORMAL))
        painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, text)


def _paint_result(painter: QPainter, rect: QRectF, result: str, theme: Theme) -> None:
    """A defect: a solid amber frame; not inspected: a dashed one; good or live: none."""
    if result not in ("defect", "uninspected"):
        return
    style = Qt.PenStyle.SolidLine if result == "defect" else Qt.PenStyle.DashLine
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(theme.alarm_color(ABNORMAL), 4, style))
    painter.drawRect(rect.adjusted(2, 2, -2, -2))


class OverlayView(QWidget):
    """One image with its overlays, as large as the widget allows (aspect kept); a touch
    or click on it emits ``clicked``. ``empty_text`` is said where there is no image."""

    clicked = Signal()

    def __init__(self, theme: Theme, font_px: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.theme = theme
        self.font_px = font_px
        self.image = QImage()
        self.overlays = Overlays()
        self.empty_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def show_image(self, image: QImage, overlays: Overlays | None = None) -> None:
        self.image = image
        self.overlays = overlays or Overlays()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = QRectF(self.rect())
        painter.fillRect(rect, self.theme.color("running"))
        if self.image.isNull():
            painter.setPen(self.theme.color("text_on_running"))
            painter.setFont(self.theme.font(self.font_px * 0.8))
            painter.drawText(
                rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_text
            )
        paint_image(painter, rect, self.image, self.overlays, self.theme, self.font_px)
        painter.end()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()
        super().mouseReleaseEvent(event)
