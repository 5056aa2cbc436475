#!/usr/bin/env python3
"""Extract the example documents of the Dstny Core User API reference.

The reference renders JSON with "- " list markers; this undoes that, keeps
every example that is valid JSON, and writes it to tests/data/ref/ with a
MANIFEST line "file kind section" (kind: callstate, userstate, devices,
groups, queuestats, ticket, error, expires, devicehook, body).
Run: tests/data/extract-examples.py ../shared/reference/dstny-core-user-api.txt
"""
import json, os, re, sys

SECTIONS = [  # (first line text, short name)
    ("The ACD/Attendant Group API is used", "acdgroup"),
    ("The Call Control API enables", "callcontrol"),
    ("The Call Recording API enables", "callrecording"),
    ("The Call State API enables", "callstate"),
    ("The Event API is used", None),
    ("The User Device Information API", "userdevice"),
    ("The User Tickets API", "ticket"),
    ("The SMS API provides", None),
    ("The Distribution Group API allows", "distributiongroup"),
    ("The Queue Statistics API gives", "queuestatistics"),
    ("The Call Recording Control API", None),
    ("The Line State API is used", "linestate"),
    # issue 21: history, presence, forwarding, caller ID, voicemail
    ("The Communication Log API", "communicationlog"),
    ("The Activity Diversion Mapping API", "activitydiversion"),
    ("The Diversion API is used", "diversion"),
    ("The Mobile Subscriber API", None),
    ("The Presence Shortcuts API", "presenceshortcuts"),
    ("The End-user Configuration API", "enduserconfig"),
    ("The User Information API", "userinfo"),
    ("The User Line API", "userline"),
    ("The User Voicemail Settings API", "voicemail"),
]

def kind(doc):
    if isinstance(doc, dict):
        if "callId" in doc and "stateToken" in doc: return "callstate"
        if "fullState" in doc: return "userstate"
        if "group" in doc or "groups" in doc: return "groups"
        if "queue" in doc or "queueLength" in doc: return "queuestats"
        if "token" in doc and "expires" in doc: return "ticket"
        if "field" in doc: return "error"
        if "changedField" in doc: return "devicehook"
        if list(doc) == ["expiresOn"]: return "expires"
    if isinstance(doc, list) and doc and isinstance(doc[0], dict) and "deviceId" in doc[0]:
        return "devices"
    return "body"

def main():
    lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ref")
    os.makedirs(out, exist_ok=True)
    section, manifest, counts, i = None, [], {}, 0
    while i < len(lines):
        line = lines[i]
        for start, name in SECTIONS:
            if line.startswith(start):
                section = name
        if (line.startswith("{-") or line.startswith("[-") or line == "{ }"):
            text, depth = [], 0
            while i < len(lines):
                text.append(lines[i])
                depth += lines[i].count("{") + lines[i].count("[") - lines[i].count("}") - lines[i].count("]")
                if depth <= 0:
                    break
                i += 1
            raw = "\n".join(text)
            raw = re.sub(r'(^|[\[{,]\s*)- ', r'\1', raw, flags=re.M)
            try:
                doc = json.loads(raw)
            except ValueError:
                i += 1
                continue
            k = kind(doc)
            if section is None and (k != "error" or "misc" in counts):
                i += 1
                continue
            name = section or "misc"
            n = counts.get(name, 0) + 1
            counts[name] = n
            fname = "%s-%02d.json" % (name, n)
            with open(os.path.join(out, fname), "w") as f:
                json.dump(doc, f, indent=1)
                f.write("\n")
            manifest.append("%s %s %s" % (fname, k, name))
        i += 1
    with open(os.path.join(out, "MANIFEST"), "w") as f:
        f.write("\n".join(manifest) + "\n")
    print("%d examples" % len(manifest))

main()
