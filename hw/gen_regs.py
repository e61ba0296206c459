#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""Generate C register definitions and accessors from a register XML.

Usage:
  gen_regs.py XML --header OUT.h --source OUT.c [--tests OUT_fields.c]
              [--aliases OUT.md]

The XML schema is described at the top of hw/rk3588.xml and in
docs/registers.md. Nothing here is specific to one SoC: every name and
number comes from the XML, the C prefix included. Output is a pure
function of the XML (no dates, no paths), so regenerating gives no diff.
"""

import argparse
import os
import re
import sys
import textwrap
import xml.etree.ElementTree as ET

GENERATOR = "gen_regs.py"
ACCESS_CODES = {"rw": 0, "ro": 1, "w1c": 2}
IDENT = re.compile(r"^[A-Z][A-Z0-9_]*$")
PREFIX = re.compile(r"^[a-z][a-z0-9_]*$")


class SpecError(Exception):
    """A problem in the XML; the message names the offending item."""


class Field:
    def __init__(self, name, low, high, signed, desc):
        self.name = name
        self.low = low
        self.high = high
        self.signed = signed
        self.desc = desc

    @property
    def width(self):
        return self.high - self.low + 1

    @property
    def mask(self):
        return ((1 << self.width) - 1) << self.low


class Reg:
    def __init__(self, block, name, offset, access, reset, vendor, desc, addr=False):
        self.addr = addr
        self.block = block
        self.name = name
        self.offset = offset
        self.access = access
        self.reset = reset
        self.vendor = vendor
        self.desc = desc
        self.fields = []

    @property
    def full(self):
        return "%s.%s" % (self.block.name, self.name)

    @property
    def cname(self):
        return "%s_%s" % (self.block.name, self.name)


class Block:
    def __init__(self, index, name, base, size, target, op_en, banked_from, desc):
        self.index = index
        self.name = name
        self.base = base
        self.size = size
        self.target = target
        self.op_en = op_en
        self.banked_from = banked_from
        self.desc = desc
        self.regs = []


class Device:
    def __init__(self, name, prefix, window):
        self.name = name
        self.prefix = prefix
        self.window = window
        self.targets = []   # (name, code, desc) of non-block targets
        self.irqs = []      # (name, bit, desc)
        self.irq_all = 0
        self.blocks = []

    @property
    def up(self):
        return self.prefix.upper()

    def all_regs(self):
        regs = [r for b in self.blocks for r in b.regs]
        return sorted(regs, key=lambda r: r.offset)


# --------------------------------------------------------------------------
# Parsing and validation


def num(elem, attr, where, default=None):
    text = elem.get(attr)
    if text is None:
        if default is None:
            raise SpecError("%s: missing attribute '%s'" % (where, attr))
        return default
    try:
        return int(text.strip(), 0)
    except ValueError:
        raise SpecError("%s: attribute %s='%s' is not a number" % (where, attr, text))


def ident(elem, where):
    name = elem.get("name")
    if name is None:
        raise SpecError("%s: missing attribute 'name'" % where)
    if not IDENT.match(name):
        raise SpecError("%s: name '%s' is not an upper-case C identifier" % (where, name))
    return name


def text_attr(elem, attr, where):
    text = elem.get(attr, "")
    text = " ".join(text.split())
    # Descriptions land in C comments.
    if "*/" in text or "/*" in text:
        raise SpecError("%s: %s must not contain comment delimiters" % (where, attr))
    return text


def parse(path):
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise SpecError("%s: %s" % (path, exc))
    if root.tag != "device":
        raise SpecError("%s: root element must be <device>" % path)
    prefix = root.get("prefix", "")
    if not PREFIX.match(prefix):
        raise SpecError("device: prefix '%s' is not a lower-case C identifier" % prefix)
    dev = Device(root.get("name", prefix), prefix, num(root, "window", "device"))
    if dev.window <= 0 or dev.window > 0x10000:
        raise SpecError("device: window 0x%x does not fit the 16-bit regcmd offset" % dev.window)

    for el in root:
        if not isinstance(el.tag, str):
            continue
        if el.tag == "target":
            where = "target %s" % el.get("name")
            dev.targets.append((ident(el, where), num(el, "code", where),
                                text_attr(el, "desc", where)))
        elif el.tag == "interrupts":
            dev.irq_all = num(el, "all", "interrupts")
            for irq in el:
                if not isinstance(irq.tag, str):
                    continue
                if irq.tag != "irq":
                    raise SpecError("interrupts: unexpected <%s>" % irq.tag)
                where = "irq %s" % irq.get("name")
                dev.irqs.append((ident(irq, where), num(irq, "bit", where),
                                 text_attr(irq, "desc", where)))
        elif el.tag == "block":
            dev.blocks.append(parse_block(el, len(dev.blocks)))
        else:
            raise SpecError("device: unexpected <%s>" % el.tag)
    validate(dev)
    return dev


def parse_block(el, index):
    where = "block %s" % el.get("name")
    name = ident(el, where)
    where = "block %s" % name
    target = num(el, "target", where, 0)
    op_en = num(el, "op_en", where, -1)
    banked = num(el, "banked_from", where, 0)
    blk = Block(index, name, num(el, "base", where), num(el, "size", where),
                target, op_en, banked, text_attr(el, "desc", where))
    for r in el:
        if not isinstance(r.tag, str):
            continue
        if r.tag != "reg":
            raise SpecError("%s: unexpected <%s>" % (where, r.tag))
        rname = ident(r, "%s register" % name)
        rwhere = "%s.%s" % (name, rname)
        access = r.get("access", "rw")
        if access not in ACCESS_CODES:
            raise SpecError("%s: access '%s' is not one of %s"
                            % (rwhere, access, "/".join(ACCESS_CODES)))
        addr = r.get("addr", "0")
        if addr not in ("0", "1"):
            raise SpecError("%s: addr must be 0 or 1" % rwhere)
        reg = Reg(blk, rname, num(r, "offset", rwhere), access,
                  num(r, "reset", rwhere, 0), r.get("vendor"),
                  text_attr(r, "desc", rwhere), addr == "1")
        if reg.vendor is not None and not IDENT.match(reg.vendor):
            raise SpecError("%s: vendor alias '%s' is not an identifier" % (rwhere, reg.vendor))
        for f in r:
            if not isinstance(f.tag, str):
                continue
            if f.tag != "field":
                raise SpecError("%s: unexpected <%s>" % (rwhere, f.tag))
            fname = ident(f, "%s field" % rwhere)
            fwhere = "%s.%s" % (rwhere, fname)
            signed = f.get("signed", "0")
            if signed not in ("0", "1"):
                raise SpecError("%s: signed must be 0 or 1" % fwhere)
            reg.fields.append(Field(fname, num(f, "low", fwhere), num(f, "high", fwhere),
                                    signed == "1", text_attr(f, "desc", fwhere)))
        blk.regs.append(reg)
    return blk


def validate(dev):
    if not dev.blocks:
        raise SpecError("device: no blocks")

    seen = {}
    for name, code, _ in dev.targets:
        check_target(name, code, seen)
    for b in dev.blocks:
        if b.target:
            check_target(b.name, b.target, seen)

    bits = {}
    for name, bit, _ in dev.irqs:
        if not 0 <= bit <= 31:
            raise SpecError("irq %s: bit %d outside 0..31" % (name, bit))
        if bit in bits or name in bits.values():
            raise SpecError("irq %s: duplicate bit or name" % name)
        if not dev.irq_all >> bit & 1:
            raise SpecError("irq %s: bit %d not in interrupts 'all' mask" % (name, bit))
        bits[bit] = name
    if dev.irq_all >> 32:
        raise SpecError("interrupts: 'all' mask exceeds 32 bits")

    names = set()
    op_bits = {}
    for b in dev.blocks:
        if b.name in names:
            raise SpecError("block %s: duplicate block name" % b.name)
        names.add(b.name)
        if b.size <= 0 or b.base % 4 or b.base + b.size > dev.window:
            raise SpecError("block %s: range 0x%x+0x%x outside the window" % (b.name, b.base, b.size))
        for o in dev.blocks[:b.index]:
            if b.base < o.base + o.size and o.base < b.base + b.size:
                raise SpecError("block %s: overlaps block %s" % (b.name, o.name))
        if b.op_en != -1:
            if not 0 <= b.op_en <= 31:
                raise SpecError("block %s: op_en bit %d outside 0..31" % (b.name, b.op_en))
            if b.op_en in op_bits:
                raise SpecError("block %s: op_en bit %d already used by %s"
                                % (b.name, b.op_en, op_bits[b.op_en]))
            op_bits[b.op_en] = b.name
        if b.banked_from and not b.base <= b.banked_from < b.base + b.size:
            raise SpecError("block %s: banked_from 0x%x outside the block" % (b.name, b.banked_from))

    offsets = {}
    for b in dev.blocks:
        rnames = set()
        for r in b.regs:
            if r.name in rnames:
                raise SpecError("%s: duplicate register name in block %s" % (r.full, b.name))
            rnames.add(r.name)
            if r.offset % 4:
                raise SpecError("%s: offset 0x%x is not 4-byte aligned" % (r.full, r.offset))
            if not b.base <= r.offset < b.base + b.size:
                raise SpecError("%s: offset 0x%x outside block %s" % (r.full, r.offset, b.name))
            if r.offset in offsets:
                raise SpecError("%s: duplicate offset 0x%04x (also %s)"
                                % (r.full, r.offset, offsets[r.offset].full))
            offsets[r.offset] = r
            if not 0 <= r.reset <= 0xffffffff:
                raise SpecError("%s: reset value does not fit 32 bits" % r.full)
            validate_fields(r)

    # Generated identifiers share one C namespace, so BLOCK_REG joins
    # must not collide (e.g. block "A_B" reg "C" against block "A" reg "B_C").
    idents = {}
    for b in dev.blocks:
        for r in b.regs:
            for f in r.fields:
                key = "%s_%s" % (r.cname, f.name)
                if key in idents:
                    raise SpecError("%s: generated name %s collides with %s"
                                    % (r.full, key, idents[key]))
                idents[key] = "%s.%s" % (r.full, f.name)
            key = "REG_" + r.cname
            if key in idents:
                raise SpecError("%s: generated name %s collides with %s" % (r.full, key, idents[key]))
            idents[key] = r.full


def check_target(name, code, seen):
    if not 0 < code <= 0xffff:
        raise SpecError("target %s: code 0x%x is not a non-zero 16-bit value" % (name, code))
    if name in seen.values() or code in seen:
        raise SpecError("target %s: duplicate target name or code 0x%04x" % (name, code))
    seen[code] = name


def validate_fields(r):
    if not r.fields:
        raise SpecError("%s: register has no fields (use a single VALUE field)" % r.full)
    fnames = set()
    for f in r.fields:
        if f.name in fnames:
            raise SpecError("%s: duplicate field name %s" % (r.full, f.name))
        fnames.add(f.name)
        if f.low < 0 or f.high > 31:
            raise SpecError("%s: field %s [%d:%d] lies outside bits 31..0"
                            % (r.full, f.name, f.high, f.low))
        if f.low > f.high:
            raise SpecError("%s: field %s has low bit %d above high bit %d"
                            % (r.full, f.name, f.low, f.high))
        if f.signed and f.width < 2:
            raise SpecError("%s: signed field %s needs at least 2 bits" % (r.full, f.name))
    for i, f in enumerate(r.fields):
        for g in r.fields[:i]:
            if f.mask & g.mask:
                raise SpecError("%s: fields %s [%d:%d] and %s [%d:%d] overlap"
                                % (r.full, g.name, g.high, g.low, f.name, f.high, f.low))


# --------------------------------------------------------------------------
# C output utilities


def hx(value, digits):
    return "0x%0*x" % (digits, value)


def off_digits(dev):
    return max(4, (dev.window - 1).bit_length() + 3 >> 2)


def bits_str(f):
    return "[%d]" % f.low if f.width == 1 else "[%d:%d]" % (f.high, f.low)


def comment(text, indent=""):
    return "%s/* %s */" % (indent, text) if text else ""


def block_comment(text, width=100):
    """One-line C comment, or a wrapped block comment when too long."""
    if len(text) + 6 <= width:
        return ["/* %s */" % text]
    lines = textwrap.wrap(text, width - 3, break_on_hyphens=False)
    return ["/*"] + [" * " + line for line in lines] + [" */"]


def banner(xml_name, first_line_style):
    spdx = "SPDX-License-Identifier: MIT OR GPL-2.0-only"
    head = "// %s" % spdx if first_line_style == "c" else "/* %s */" % spdx
    return [head,
            "/*",
            " * Generated by %s from %s. Do not edit: change the XML and" % (GENERATOR, xml_name),
            " * regenerate (docs/registers.md).",
            " */"]


def c_stmt(lead, parts, width=100):
    """Tab-indented statement, split before operators when it is too long."""
    one = "\t" + lead + " ".join(parts) + ";"
    if len(one.expandtabs(8)) <= width:
        return [one]
    pad = "\t" + " " * len(lead)
    lines = ["\t" + lead + parts[0]]
    lines += [pad + part for part in parts[1:]]
    lines[-1] += ";"
    return lines


def field_fn_lines(dev, r, f):
    """Macros and inline set/get accessors for one field."""
    p = dev.prefix
    base = "%s_%s" % (r.cname, f.name)
    out = []
    sign = ", signed" if f.signed else ""
    out.extend(block_comment("%s %s%s: %s" % (f.name, bits_str(f), sign, f.desc or f.name)))
    out.append("#define %s__SHIFT %d" % (base, f.low))
    out.append("#define %s__WIDTH %d" % (base, f.width))
    out.append("#define %s__MASK %su" % (base, hx(f.mask, 8)))
    umax = (1 << f.width) - 1
    keep = "(*reg & ~%s__MASK)" % base
    if f.signed:
        out.append("static inline bool %s_set_%s(uint32_t *reg, int32_t v)" % (p, base))
        out.append("{")
        if f.width < 32:
            half = 1 << (f.width - 1)
            out.append("\tif (v < -%s || v > %s)" % (hx(half, 1), hx(half - 1, 1)))
            out.append("\t\treturn false;")
        put = "(((uint32_t)v << %s__SHIFT) & %s__MASK)" % (base, base)
    else:
        out.append("static inline bool %s_set_%s(uint32_t *reg, uint32_t v)" % (p, base))
        out.append("{")
        if f.width < 32:
            out.append("\tif (v > %su)" % hx(umax, 1))
            out.append("\t\treturn false;")
        put = "(v << %s__SHIFT)" % base
    out.extend(c_stmt("*reg = ", [keep, "| " + put]))
    out.append("\treturn true;")
    out.append("}")
    if f.signed:
        sbit = 1 << (f.width - 1)
        out.append("static inline int32_t %s_get_%s(uint32_t reg)" % (p, base))
        out.append("{")
        out.extend(c_stmt("uint32_t f = ", ["(reg & %s__MASK)" % base, ">> %s__SHIFT" % base]))
        out.append("")
        out.append("\treturn (f & %su) ? -(int32_t)(~f & %su) - 1 : (int32_t)f;"
                   % (hx(sbit, 1), hx(sbit - 1, 1)))
        out.append("}")
    else:
        out.append("static inline uint32_t %s_get_%s(uint32_t reg)" % (p, base))
        out.append("{")
        out.extend(c_stmt("return ", ["(reg & %s__MASK)" % base, ">> %s__SHIFT" % base]))
        out.append("}")
    return out


# --------------------------------------------------------------------------
# Header


def gen_header(dev, xml_name):
    p, P = dev.prefix, dev.up
    guard = "%s_REGS_H" % P
    d = off_digits(dev)
    o = banner(xml_name, "h")
    o += ["#ifndef " + guard, "#define " + guard, "",
          "/* Freestanding on purpose: the kernel-style driver core includes this. */",
          "#include <stdbool.h>",
          "#include <stddef.h>",
          "#include <stdint.h>",
          ""]

    o.append("/* Blocks of one %s NPU core window (0x%x bytes). */" % (dev.name, dev.window))
    o.append("enum %s_block {" % p)
    for b in dev.blocks:
        o.append("\t%s_BLOCK_%s," % (P, b.name))
    o.append("\t%s_BLOCK_COUNT" % P)
    o.append("};")
    o.append("")
    o.append("/*")
    o.append(" * target: regcmd target code writing the block, 0 if it has none.")
    o.append(" * op_en_bit: bit in the op-enable mask, -1 if none.")
    o.append(" * banked_from: absolute offset from which registers are ping-pong")
    o.append(" * shadowed, 0 if the block is not banked.")
    o.append(" */")
    o.append("struct %s_block_info {" % p)
    o.append("\tconst char *name;")
    o.append("\tuint32_t base;")
    o.append("\tuint32_t size;")
    o.append("\tuint16_t target;")
    o.append("\tint8_t op_en_bit;")
    o.append("\tuint32_t banked_from;")
    o.append("};")
    o.append("")
    o.append("extern const struct %s_block_info %s_blocks[%s_BLOCK_COUNT];" % (p, p, P))
    o.append("")
    o.append("/* Block containing a window offset, NULL outside every block. */")
    o.append("const struct %s_block_info *%s_block_of(uint32_t offset);" % (p, p))
    o.append("")

    o.append("/* regcmd target codes (bits 63:48 of a command word). */")
    for b in dev.blocks:
        if b.target:
            o.append("#define %s_TARGET_%s %s" % (P, b.name, hx(b.target, 4)))
    for name, code, desc in dev.targets:
        o.append("#define %s_TARGET_%s %s%s" % (P, name, hx(code, 4),
                                               " " + comment(desc) if desc else ""))
    o.append("")

    o.append("/* Block bits of the op-enable command value and GLOBAL enable register. */")
    for b in dev.blocks:
        if b.op_en >= 0:
            o.append("#define %s_OP_EN_%s (1u << %d)" % (P, b.name, b.op_en))
    o.append("")

    if dev.irqs or dev.irq_all:
        o.append("/* Interrupt bits (mask, clear, status and raw status registers). */")
        for name, bit, desc in dev.irqs:
            o.append("#define %s_INT_%s (1u << %d)%s" % (P, name, bit,
                                                         " " + comment(desc) if desc else ""))
        o.append("#define %s_INT_ALL %su" % (P, hx(dev.irq_all, 1)))
        o.append("")

    o.append("/* Register access kinds. */")
    for name, code in ACCESS_CODES.items():
        o.append("#define %s_ACCESS_%s %d" % (P, name.upper(), code))
    o.append("")
    o.append("/* name is \"BLOCK.NAME\"; block is an enum %s_block. */" % p)
    o.append("struct %s_reg_info {" % p)
    o.append("\tuint32_t offset;")
    o.append("\tuint32_t reset;")
    o.append("\tuint8_t block;")
    o.append("\tuint8_t access;")
    o.append("\tconst char *name;")
    o.append("};")
    o.append("")
    o.append("/* Every described register, sorted by offset. */")
    o.append("extern const struct %s_reg_info %s_regs[];" % (p, p))
    o.append("extern const unsigned int %s_num_regs;" % p)
    o.append("")
    o.append("/* Register at an absolute window offset, NULL if none is described. */")
    o.append("const struct %s_reg_info *%s_reg_lookup(uint32_t offset);" % (p, p))
    o.append("/* \"BLOCK.NAME\" of the register at offset, NULL if none. */")
    o.append("const char *%s_reg_name(uint32_t offset);" % p)
    o.append("")
    o.append("/* Registers whose value is a device address (addr=\"1\"), by offset. */")
    o.append("extern const uint32_t %s_addr_regs[];" % p)
    o.append("extern const unsigned int %s_num_addr_regs;" % p)
    o.append("/* Whether the register at @offset holds a device address. */")
    o.append("bool %s_reg_is_addr(uint32_t offset);" % p)
    o.append("")

    o.append("/* Command word: target in bits 63:48, value in 47:16, offset in 15:0. */")
    o.append("static inline uint64_t %s_regcmd(uint16_t target, uint16_t offset, uint32_t value)" % p)
    o.append("{")
    o.append("\treturn ((uint64_t)target << 48) | ((uint64_t)value << 16) | offset;")
    o.append("}")
    o.append("")
    o.append("static inline uint16_t %s_regcmd_target(uint64_t cmd)" % p)
    o.append("{")
    o.append("\treturn (uint16_t)(cmd >> 48);")
    o.append("}")
    o.append("")
    o.append("static inline uint16_t %s_regcmd_offset(uint64_t cmd)" % p)
    o.append("{")
    o.append("\treturn (uint16_t)(cmd & 0xffffu);")
    o.append("}")
    o.append("")
    o.append("static inline uint32_t %s_regcmd_value(uint64_t cmd)" % p)
    o.append("{")
    o.append("\treturn (uint32_t)(cmd >> 16);")
    o.append("}")
    o.append("")
    o.append("/*")
    o.append(" * Per field: <BLOCK>_<REG>_<FIELD>__SHIFT/__WIDTH/__MASK (mask in register")
    o.append(" * position), %s_set_<BLOCK>_<REG>_<FIELD>(&reg, v) which returns false and" % p)
    o.append(" * leaves reg alone when v does not fit, and %s_get_<BLOCK>_<REG>_<FIELD>(reg)." % p)
    o.append(" * Signed fields take and return int32_t.")
    o.append(" */")

    for b in dev.blocks:
        o.append("")
        o.append("/* " + "=" * 70 + " */")
        extra = []
        if b.target:
            extra.append("target %s" % hx(b.target, 4))
        if b.op_en >= 0:
            extra.append("op-enable bit %d" % b.op_en)
        if b.banked_from:
            extra.append("banked from %s" % hx(b.banked_from, d))
        o.extend(block_comment("%s at %s: %s%s" % (b.name, hx(b.base, d), b.desc,
                               " (" + ", ".join(extra) + ")" if extra else "")))
        for r in sorted(b.regs, key=lambda x: x.offset):
            o.append("")
            vend = ", vendor %s" % r.vendor if r.vendor else ""
            o.extend(block_comment("%s (%s, reset %s%s): %s"
                                   % (r.full, r.access, hx(r.reset, 8), vend, r.desc)))
            o.append("#define REG_%s %su" % (r.cname, hx(r.offset, d)))
            for f in sorted(r.fields, key=lambda x: -x.low):
                o.extend(field_fn_lines(dev, r, f))

    o.append("")
    o.append("#endif /* %s */" % guard)
    return "\n".join(o) + "\n"


# --------------------------------------------------------------------------
# Source


def gen_source(dev, xml_name, header_name):
    p, P = dev.prefix, dev.up
    d = off_digits(dev)
    o = banner(xml_name, "c")
    o += ["#include \"%s\"" % header_name, ""]

    o.append("const struct %s_block_info %s_blocks[%s_BLOCK_COUNT] = {" % (p, p, P))
    for b in dev.blocks:
        o.append("\t[%s_BLOCK_%s] = { \"%s\", %su, %su, %su, %d, %su }," %
                 (P, b.name, b.name, hx(b.base, d), hx(b.size, d), hx(b.target, 4),
                  b.op_en, hx(b.banked_from, d)))
    o.append("};")
    o.append("")
    o.append("const struct %s_block_info *%s_block_of(uint32_t offset)" % (p, p))
    o.append("{")
    o.append("\tfor (unsigned int i = 0; i < %s_BLOCK_COUNT; i++) {" % P)
    o.append("\t\tconst struct %s_block_info *b = &%s_blocks[i];" % (p, p))
    o.append("")
    o.append("\t\tif (offset >= b->base && offset - b->base < b->size)")
    o.append("\t\t\treturn b;")
    o.append("\t}")
    o.append("\treturn NULL;")
    o.append("}")
    o.append("")

    access_names = {v: k.upper() for k, v in ACCESS_CODES.items()}
    o.append("const struct %s_reg_info %s_regs[] = {" % (p, p))
    for r in dev.all_regs():
        o.append("\t{ %su, %su, %s_BLOCK_%s, %s_ACCESS_%s, \"%s\" }," %
                 (hx(r.offset, d), hx(r.reset, 8), P, r.block.name, P,
                  access_names[ACCESS_CODES[r.access]], r.full))
    o.append("};")
    o.append("")
    o.append("const unsigned int %s_num_regs = sizeof(%s_regs) / sizeof(%s_regs[0]);" % (p, p, p))
    o.append("")
    o.append("const struct %s_reg_info *%s_reg_lookup(uint32_t offset)" % (p, p))
    o.append("{")
    o.append("\tunsigned int lo = 0, hi = %s_num_regs;" % p)
    o.append("")
    o.append("\t/* Half-open binary search over the offset-sorted table. */")
    o.append("\twhile (lo < hi) {")
    o.append("\t\tunsigned int mid = lo + (hi - lo) / 2;")
    o.append("")
    o.append("\t\tif (%s_regs[mid].offset == offset)" % p)
    o.append("\t\t\treturn &%s_regs[mid];" % p)
    o.append("\t\tif (%s_regs[mid].offset < offset)" % p)
    o.append("\t\t\tlo = mid + 1;")
    o.append("\t\telse")
    o.append("\t\t\thi = mid;")
    o.append("\t}")
    o.append("\treturn NULL;")
    o.append("}")
    o.append("")
    o.append("const char *%s_reg_name(uint32_t offset)" % p)
    o.append("{")
    o.append("\tconst struct %s_reg_info *r = %s_reg_lookup(offset);" % (p, p))
    o.append("")
    o.append("\treturn r ? r->name : NULL;")
    o.append("}")
    o.append("")
    addr_regs = [r for r in dev.all_regs() if r.addr]
    o.append("const uint32_t %s_addr_regs[] = {" % p)
    for r in addr_regs:
        o.append("\t%su, /* %s */" % (hx(r.offset, d), r.full))
    if not addr_regs:
        o.append("\t0u, /* none: keeps the array non-empty */")
    o.append("};")
    o.append("")
    o.append("const unsigned int %s_num_addr_regs = %d;" % (p, len(addr_regs)))
    o.append("")
    o.append("bool %s_reg_is_addr(uint32_t offset)" % p)
    o.append("{")
    o.append("\tfor (unsigned int i = 0; i < %s_num_addr_regs; i++)" % p)
    o.append("\t\tif (%s_addr_regs[i] == offset)" % p)
    o.append("\t\t\treturn true;")
    o.append("\treturn false;")
    o.append("}")
    return "\n".join(o) + "\n"


# --------------------------------------------------------------------------
# Test-only field table


def gen_tests(dev, xml_name, header_name):
    p, P = dev.prefix, dev.up
    d = off_digits(dev)
    o = banner(xml_name, "c")
    o += ["/*",
          " * Test-only table of every field with pointers to its accessors.",
          " * #include this file from exactly one test translation unit.",
          " */",
          "#include \"%s\"" % header_name,
          "",
          "typedef bool (*%s_set_u_fn)(uint32_t *reg, uint32_t v);" % p,
          "typedef uint32_t (*%s_get_u_fn)(uint32_t reg);" % p,
          "typedef bool (*%s_set_s_fn)(uint32_t *reg, int32_t v);" % p,
          "typedef int32_t (*%s_get_s_fn)(uint32_t reg);" % p,
          "",
          "/* Unsigned fields fill set_u/get_u, signed ones set_s/get_s. */",
          "struct %s_field_info {" % p,
          "\tconst char *name;",
          "\tuint32_t offset;",
          "\tuint8_t shift;",
          "\tuint8_t width;",
          "\tbool is_signed;",
          "\t%s_set_u_fn set_u;" % p,
          "\t%s_get_u_fn get_u;" % p,
          "\t%s_set_s_fn set_s;" % p,
          "\t%s_get_s_fn get_s;" % p,
          "};",
          "",
          "/* Fields of one register: %s_fields[first .. first + count). */" % p,
          "struct %s_field_reg {" % p,
          "\tconst char *name;",
          "\tuint32_t offset;",
          "\tunsigned int first;",
          "\tunsigned int count;",
          "};",
          ""]
    regs = dev.all_regs()
    o.append("static const struct %s_field_info %s_fields[] = {" % (p, p))
    for r in regs:
        for f in sorted(r.fields, key=lambda x: -x.low):
            base = "%s_%s" % (r.cname, f.name)
            if f.signed:
                fns = "NULL, NULL, %s_set_%s, %s_get_%s" % (p, base, p, base)
            else:
                fns = "%s_set_%s, %s_get_%s, NULL, NULL" % (p, base, p, base)
            o.append("\t{ \"%s.%s\", %su, %d, %d, %s,"
                     % (r.full, f.name, hx(r.offset, d), f.low, f.width,
                        "true" if f.signed else "false"))
            o.append("\t  %s }," % fns)
    o.append("};")
    o.append("")
    o.append("static const struct %s_field_reg %s_field_regs[] = {" % (p, p))
    first = 0
    for r in regs:
        o.append("\t{ \"%s\", %su, %d, %d }," % (r.full, hx(r.offset, d), first, len(r.fields)))
        first += len(r.fields)
    o.append("};")
    o.append("")
    o.append("#define %s_NUM_FIELDS %du" % (P, first))
    o.append("#define %s_NUM_FIELD_REGS %du" % (P, len(regs)))
    return "\n".join(o) + "\n"


# --------------------------------------------------------------------------
# Vendor alias table for the documentation


def gen_aliases(dev):
    d = off_digits(dev)
    o = ["| Offset | Register | Vendor name |", "|---|---|---|"]
    for r in dev.all_regs():
        if r.vendor:
            o.append("| %s | %s | %s |" % (hx(r.offset, d), r.full, r.vendor))
    return "\n".join(o) + "\n"


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def main(argv):
    ap = argparse.ArgumentParser(description="Generate C register accessors from a register XML.")
    ap.add_argument("xml")
    ap.add_argument("--header", required=True, help="output header")
    ap.add_argument("--source", required=True, help="output C source")
    ap.add_argument("--tests", help="output test-only field table (C)")
    ap.add_argument("--aliases", help="output Markdown table of vendor register names")
    args = ap.parse_args(argv)

    try:
        dev = parse(args.xml)
    except SpecError as exc:
        sys.stderr.write("%s: error: %s\n" % (GENERATOR, exc))
        return 1

    # Names in the outputs use basenames so that the text does not depend
    # on where the tree or the build directory lives.
    xml_name = os.path.basename(args.xml)
    header_name = os.path.basename(args.header)
    write(args.header, gen_header(dev, xml_name))
    write(args.source, gen_source(dev, xml_name, header_name))
    if args.tests:
        write(args.tests, gen_tests(dev, xml_name, header_name))
    if args.aliases:
        write(args.aliases, gen_aliases(dev))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
