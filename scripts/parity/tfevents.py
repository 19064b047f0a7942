"""Scalars of a TensorBoard event file, read by hand (TFRecord frames, then
the few protobuf fields of `Event` and `Summary.Value` a scalar uses), so
that the parity scripts need no tensorboard package. CRCs are not checked."""
import struct


def _varint(data, i):
    value, shift = 0, 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def _fields(data):
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 1:
            value, i = data[i:i + 8], i + 8
        elif wire == 2:
            length, i = _varint(data, i)
            value, i = data[i:i + length], i + length
        elif wire == 5:
            value, i = data[i:i + 4], i + 4
        else:
            raise ValueError(f"protobuf wire type {wire} is not expected in an event file")
        yield number, wire, value


def scalars(path):
    """{tag: {step: value}} of every simple_value in the file."""
    with open(path, "rb") as f:
        data = f.read()
    out, i = {}, 0
    while i + 12 <= len(data):
        (length,) = struct.unpack("<Q", data[i:i + 8])
        record = data[i + 12:i + 12 + length]
        i += 12 + length + 4
        step = 0
        summaries = []
        for number, wire, value in _fields(record):
            if number == 2 and wire == 0:
                step = value
            elif number == 5 and wire == 2:
                summaries.append(value)
        for summary in summaries:
            for number, wire, value in _fields(summary):
                if number != 1 or wire != 2:
                    continue
                tag, simple = None, None
                for n2, w2, v2 in _fields(value):
                    if n2 == 1 and w2 == 2:
                        tag = v2.decode("utf-8")
                    elif n2 == 2 and w2 == 5:
                        (simple,) = struct.unpack("<f", v2)
                if tag is not None and simple is not None:
                    out.setdefault(tag, {})[step] = simple
    return out
