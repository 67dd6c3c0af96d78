# Copyright (c) 2013-2014 Sandstorm Development Group, Inc. and contributors
# Licensed under the MIT License:
#
# Permission is hereby granted, free of charge, to any person obtaining a copy
# of this software and associated documentation files (the "Software"), to deal
# in the Software without restriction, including without limitation the rights
# to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
# copies of the Software, and to permit persons to whom the Software is
# furnished to do so, subject to the following conditions:
#
# The above copyright notice and this permission notice shall be included in
# all copies or substantial portions of the Software.
#
# THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
# IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
# FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
# AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
# LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
# OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
# THE SOFTWARE.

# capnp-java's copy of the Cap'n Proto RPC protocol schema: the definitions (ids, ordinals,
# types) of rpc.capnp on capnproto/capnproto master (2026, with the Level 3 "3PH Spec" changes
# of PR #2115), without the upstream commentary; read the upstream file for the protocol's
# documentation. dev.capnp.rpc.proto.Rpc is generated from this file by
# scripts/regenerate-standard-schemas.sh. Every field a Cap'n Proto 0.9.2 peer knows keeps its
# id, ordinal and layout, except the Level 3 ones 0.9.2 never implemented (Disembargo.context
# .accept/.provide, Accept.embargo); docs/ARCHITECTURE.md ("Level 3: three-party handoff")
# lists the differences.

@0xb312981b2552a250;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("capnp::rpc");

using QuestionId = UInt32;

using AnswerId = QuestionId;

using ExportId = UInt32;

using ImportId = ExportId;

struct Message {

  union {
    unimplemented @0 :Message;

    abort @1 :Exception;

    bootstrap @8 :Bootstrap;
    call @2 :Call;
    return @3 :Return;
    finish @4 :Finish;

    resolve @5 :Resolve;
    release @6 :Release;
    disembargo @13 :Disembargo;

    obsoleteSave @7 :AnyPointer;

    obsoleteDelete @9 :AnyPointer;

    provide @10 :Provide;
    accept @11 :Accept;
    thirdPartyAnswer @14 :ThirdPartyAnswer;

    join @12 :Join;
  }
}

struct Bootstrap {

  questionId @0 :QuestionId;

  deprecatedObjectId @1 :AnyPointer;

}

struct Call {

  questionId @0 :QuestionId;

  target @1 :MessageTarget;

  interfaceId @2 :UInt64;

  methodId @3 :UInt16;

  allowThirdPartyTailCall @8 :Bool = false;

  noPromisePipelining @9 :Bool = false;

  onlyPromisePipeline @10 :Bool = false;

  params @4 :Payload;

  sendResultsTo :union {

    caller @5 :Void;

    yourself @6 :Void;

    thirdParty @7 :ThirdPartyToContact;

  }
}

struct Return {

  answerId @0 :AnswerId;

  releaseParamCaps @1 :Bool = true;

  noFinishNeeded @8 :Bool = false;

  union {
    results @2 :Payload;

    exception @3 :Exception;

    canceled @4 :Void;

    resultsSentElsewhere @5 :Void;

    takeFromOtherQuestion @6 :QuestionId;

    awaitFromThirdParty @7 :ThirdPartyToAwait;

  }
}

struct Finish {

  questionId @0 :QuestionId;

  releaseResultCaps @1 :Bool = true;

  requireEarlyCancellationWorkaround @2 :Bool = true;

}

struct Resolve {

  promiseId @0 :ExportId;

  union {
    cap @1 :CapDescriptor;

    exception @2 :Exception;

  }
}

struct Release {

  id @0 :ImportId;

  referenceCount @1 :UInt32;

}

struct Disembargo {

  target @0 :MessageTarget;

  using EmbargoId = UInt32;

  using ThirdPartyEmbargoId = Data;

  context :union {
    senderLoopback @1 :EmbargoId;

    receiverLoopback @2 :EmbargoId;

    accept @3 :ThirdPartyEmbargoId;

  }
}

struct Provide {
  # (Level 3) Introducer -> host: keep `target` for the recipient named by `recipient`;
  # a question that gets no Return, ended by the introducer's Finish.

  questionId @0 :QuestionId;

  target @1 :MessageTarget;

  recipient @2 :ThirdPartyToAwait;

}

struct Accept {
  # (Level 3) Recipient -> host: pick up what a Provide offered; answered like a Bootstrap
  # (results content = the capability), after the embargo named by `embargo` if any.

  questionId @0 :QuestionId;

  provision @1 :ThirdPartyCompletion;

  embargo @2 :Disembargo.ThirdPartyEmbargoId;

}

struct ThirdPartyAnswer {
  # (Level 3, three-party call forwarding) Not implemented by capnp-java (nor by C++
  # master since the revert of PR #2111).

  completion @0 :ThirdPartyCompletion;

  answerId @1 :AnswerId;

}

struct Join {

  questionId @0 :QuestionId;

  target @1 :MessageTarget;

  keyPart @2 :JoinKeyPart;

}

struct MessageTarget {

  union {
    importedCap @0 :ImportId;

    promisedAnswer @1 :PromisedAnswer;

  }
}

struct Payload {

  content @0 :AnyPointer;

  capTable @1 :List(CapDescriptor);

}

struct CapDescriptor {

  union {
    none @0 :Void;

    senderHosted @1 :ExportId;

    senderPromise @2 :ExportId;

    receiverHosted @3 :ImportId;

    receiverAnswer @4 :PromisedAnswer;

    thirdPartyHosted @5 :ThirdPartyCapDescriptor;

  }

  attachedFd @6 :UInt8 = 0xff;

}

struct PromisedAnswer {

  questionId @0 :QuestionId;

  transform @1 :List(Op);

  struct Op {
    union {
      noop @0 :Void;

      getPointerField @1 :UInt16;

    }
  }
}

struct ThirdPartyCapDescriptor {
  # (Level 3) `id` tells the recipient whom to contact; `vineId` is an export of the
  # sender that proxies to the capability (Level 1 peers simply use it), released by a Level 3
  # recipient once it has accepted the capability.

  id @0 :ThirdPartyToContact;

  vineId @1 :ExportId;

}

struct Exception {

  reason @0 :Text;

  type @3 :Type;

  enum Type {
    failed @0;

    overloaded @1;

    disconnected @2;

    unimplemented @3;

  }

  obsoleteIsCallersFault @1 :Bool;

  obsoleteDurability @2 :UInt16;

  trace @4 :Text;

  details @5 :List(Detail);

  struct Detail {
    detailId @0 :UInt64;

    data @1 :Data;

  }
}

using SturdyRef = AnyPointer;

using ThirdPartyCompletion = AnyPointer;

using ThirdPartyToAwait = AnyPointer;

using ThirdPartyToContact = AnyPointer;

using JoinKeyPart = AnyPointer;

using JoinResult = AnyPointer;
