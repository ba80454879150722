"""Interop client: calls a running gateway through Python grpcio (Debian's python3-grpcio).

The protos are compiled at run time by grpc_tools.protoc into a descriptor set and loaded into a
descriptor pool, so no generated code is kept. Prints one JSON object with what each scenario got;
the C# test (Guardrail.IntegrationTests.InteropTests) asserts on it, as for the Node client.
Usage: interop.py ADDRESS PROTO_ROOT, with $GUARDRAIL_API_KEY sent as "authorization: Bearer KEY"
when it is set. Run it with Debian's /usr/bin/python3 (python3-grpcio, python3-grpc-tools): a
python3 found first on PATH may lack grpcio.
"""
import json
import os
import sys
import tempfile
import time

import grpc
import grpc_tools
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from grpc_tools import protoc

address, proto_root = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
PROTOS = ["guardrail/v1/screen.proto", "guardrail/v1/diagnostics.proto", "grpc/health/v1/health.proto"]
WELL_KNOWN = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")  # google/protobuf/descriptor.proto, which google/api imports
KEY = os.environ.get("GUARDRAIL_API_KEY")
METADATA = [("authorization", f"Bearer {KEY}")] if KEY else None

with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "protos.pb")
    if protoc.main(["protoc", f"-I{proto_root}", f"-I{WELL_KNOWN}", "--include_imports", f"--descriptor_set_out={out}", *PROTOS]) != 0:
        sys.exit("protoc failed")
    with open(out, "rb") as f:
        files = descriptor_pb2.FileDescriptorSet.FromString(f.read())

pool = descriptor_pool.DescriptorPool()
for file in files.file:
    pool.Add(file)


def message(name):
    descriptor = pool.FindMessageTypeByName(name)
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


ScreenRequest, ScreenResponse = message("guardrail.v1.ScreenRequest"), message("guardrail.v1.ScreenResponse")
Document = message("guardrail.v1.Document")
EchoRequest, EchoResponse = message("guardrail.v1.EchoRequest"), message("guardrail.v1.EchoResponse")
HealthCheckRequest, HealthCheckResponse = message("grpc.health.v1.HealthCheckRequest"), message("grpc.health.v1.HealthCheckResponse")

channel = grpc.insecure_channel(address, options=[
    ("grpc.max_send_message_length", 32 * 1024 * 1024), ("grpc.max_receive_message_length", 32 * 1024 * 1024)])


def method(path, request_type, response_type):
    return channel.unary_unary(path, request_serializer=request_type.SerializeToString, response_deserializer=response_type.FromString)


screen = method("/guardrail.v1.Screen/Screen", ScreenRequest, ScreenResponse)
echo = method("/guardrail.v1.Diagnostics/Echo", EchoRequest, EchoResponse)
health = method("/grpc.health.v1.Health/Check", HealthCheckRequest, HealthCheckResponse)
unknown = channel.unary_unary("/guardrail.v1.Screen/DoesNotExist", request_serializer=lambda b: b, response_deserializer=lambda b: b)


def enum_name(msg, field, value):
    return msg.DESCRIPTOR.fields_by_name[field].enum_type.values_by_number[value].name


def summarise(response):
    if response.DESCRIPTOR.full_name == "grpc.health.v1.HealthCheckResponse":
        return {"status": enum_name(response, "status", response.status)}
    if response.DESCRIPTOR.full_name == "guardrail.v1.EchoResponse":
        return {"text": response.text}
    return {
        "verdict": enum_name(response, "verdict", response.verdict),
        "redacted_text": response.redacted_text,
        "restored_text": response.restored_text,
        "reasons": list(response.reasons),
        "findings": [{"category": f.category, "rule": f.rule, "document_id": f.document_id,
                      "start": f.span.start, "end": f.span.end, "hidden": f.hidden, "hidden_as": f.hidden_as} for f in response.findings],
        "detectors": [{"detector": d.detector, "model": d.model, "version": d.version,
                       "status": d.DESCRIPTOR.fields_by_name["status"].enum_type.values_by_number[d.status].name}
                      for d in response.detectors],
    }


def call(stub, request, timeout=10.0):
    started = time.monotonic()
    try:
        result = summarise(stub(request, timeout=timeout, metadata=METADATA))
    except grpc.RpcError as error:
        result = {"code": error.code().value[0], "details": error.details()}
    result["elapsed_ms"] = round((time.monotonic() - started) * 1000)
    return result


with open(os.path.join(here, "..", "scenarios.json"), encoding="utf-8") as f:
    s = json.load(f)
document = s["document_prefix"] * s["document_repeat"] + s["document_attack"] + s["document_prefix"]

results = {
    "health": call(health, HealthCheckRequest(service="")),
    "benign": call(screen, ScreenRequest(text=s["benign"])),
    "injection": call(screen, ScreenRequest(text=s["injection"], session_id="py-1", model_id="gpt-x")),
    "pii": call(screen, ScreenRequest(text=s["pii"])),
    "anon_prompt": call(screen, ScreenRequest(text=s["anon_prompt"], session_id="py-anon")),
    "anon_output": call(screen, ScreenRequest(text=s["anon_output"], session_id="py-anon", channel=4, deanonymize=True)),  # CHANNEL_MODEL_OUTPUT
    "deanonymize_prompt": call(screen, ScreenRequest(text=s["anon_output"], session_id="py-anon", deanonymize=True)),
    "smuggled": call(screen, ScreenRequest(text=s["smuggled"])),
    "encoded": call(screen, ScreenRequest(text=s["encoded"])),
    "gcg": call(screen, ScreenRequest(text=s["gcg"])),
    "gcg_plain": call(screen, ScreenRequest(text=s["gcg_plain"])),
    "document": call(screen, ScreenRequest(text="Summarise this", documents=[Document(id="kb-7", source="wiki", text=document)])),
    "empty": call(screen, ScreenRequest(text="")),
    "oversized": call(screen, ScreenRequest(text="x" * (5 * 1024 * 1024))),
    "unimplemented": call(unknown, b""),
    "deadline": call(echo, EchoRequest(text="slow", delay_ms=5000), timeout=0.3),
    "after": call(health, HealthCheckRequest(service="")),
}
print(json.dumps(results))
channel.close()
