package dev.capnp.schemac;

import dev.capnp.schema.Schema;
import dev.capnp.schemac.Declaration.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Compiles a struct body (or a method's parameter list): collects the members (fields, unions,
 * groups) in code order, then lays them out in ordinal order with {@link StructLayout}, creating
 * a node for each group and named union (C++: {@code StructTranslator}).
 */
final class StructTranslator {
  private final NodeTranslator translator;
  private final Module module;
  private final ImplicitParams implicitParams;
  private final StructLayout.Top top = new StructLayout.Top();
  private final List<MemberInfo> allMembers = new ArrayList<>();
  private final List<OrdinalEntry> membersByOrdinal = new ArrayList<>();
  private final List<NodeTranslator.Output> groupsCreated;

  private record OrdinalEntry(long ordinal, MemberInfo member) {}

  /** A member being compiled, or the struct itself (the root). */
  private final class MemberInfo {
    final MemberInfo parent;
    final int codeOrder;
    int index;
    int childCount;
    int childInitializedCount;
    int unionDiscriminantCount;
    final boolean isInUnion;
    final String name;
    final Declaration decl;
    final Declaration.Param param;
    final Kind declKind;
    final String docComment;
    Schema.Field.Builder schema;
    final Schema.Node.Builder node;
    final Schema.Node.SourceInfo.Builder sourceInfo;
    StructLayout.StructOrGroup fieldScope;
    StructLayout.Union unionScope;
    final int start;
    final int end;

    /** The root. */
    MemberInfo(Schema.Node.Builder node, Schema.Node.SourceInfo.Builder sourceInfo) {
      this.parent = null;
      this.codeOrder = 0;
      this.isInUnion = false;
      this.name = "";
      this.decl = null;
      this.param = null;
      this.declKind = Kind.STRUCT;
      this.docComment = null;
      this.node = node;
      this.sourceInfo = sourceInfo;
      this.start = 0;
      this.end = 0;
    }

    /** A field declared in a struct. */
    MemberInfo(MemberInfo parent, int codeOrder, Declaration decl,
        StructLayout.StructOrGroup fieldScope, boolean isInUnion) {
      this.parent = parent;
      this.codeOrder = codeOrder;
      this.isInUnion = isInUnion;
      this.name = decl.nameText();
      this.decl = decl;
      this.param = null;
      this.declKind = Kind.FIELD;
      this.docComment = decl.docComment;
      this.node = null;
      this.sourceInfo = null;
      this.fieldScope = fieldScope;
      this.start = decl.start;
      this.end = decl.end;
    }

    /** A method parameter. */
    MemberInfo(MemberInfo parent, int codeOrder, Declaration.Param param,
        StructLayout.StructOrGroup fieldScope) {
      this.parent = parent;
      this.codeOrder = codeOrder;
      this.isInUnion = false;
      this.name = param.name().value();
      this.decl = null;
      this.param = param;
      this.declKind = Kind.FIELD;
      this.docComment = null;
      this.node = null;
      this.sourceInfo = null;
      this.fieldScope = fieldScope;
      this.start = param.start();
      this.end = param.end();
    }

    /** A group or named union, with its new node. */
    MemberInfo(MemberInfo parent, int codeOrder, Declaration decl, NodeTranslator.Output group,
        boolean isInUnion) {
      this.parent = parent;
      this.codeOrder = codeOrder;
      this.isInUnion = isInUnion;
      this.name = decl.nameText();
      this.decl = decl;
      this.param = null;
      this.declKind = decl.kind;
      this.docComment = decl.docComment;
      this.node = group.node();
      this.sourceInfo = group.sourceInfo();
      this.start = decl.start;
      this.end = decl.end;
    }

    Expression fieldType() {
      return param != null ? param.type() : decl.target;
    }

    Expression fieldDefault() {
      return param != null ? param.defaultValue() : decl.value;
    }

    List<Declaration.AnnotationUse> annotations() {
      return param != null ? param.annotations() : decl.annotations;
    }

    Schema.Field.Builder getSchema() {
      if (schema == null) {
        index = parent.childInitializedCount;
        FieldAndInfo pair = parent.addMemberSchema();
        Schema.Field.Builder builder = pair.field();
        if (isInUnion) {
          builder.setDiscriminantValue((short) parent.unionDiscriminantCount++);
        }
        builder.setName(name);
        builder.setCodeOrder((short) codeOrder);
        if (docComment != null) {
          pair.info().setDocComment(docComment);
        }
        schema = builder;
      }
      return schema;
    }

    FieldAndInfo addMemberSchema() {
      var structNode = node.getStruct();
      if (!structNode.hasFields()) {
        if (parent != null) {
          getSchema();
        }
        var fields = structNode.initFields(childCount);
        var infos = sourceInfo.initMembers(childCount);
        return new FieldAndInfo(fields.get(childInitializedCount),
            infos.get(childInitializedCount++));
      }
      return new FieldAndInfo(structNode.getFields().get(childInitializedCount),
          sourceInfo.getMembers().get(childInitializedCount++));
    }

    void finishGroup() {
      if (unionScope != null) {
        unionScope.addDiscriminant();
        var structNode = node.getStruct();
        structNode.setDiscriminantCount((short) unionDiscriminantCount);
        structNode.setDiscriminantOffset(unionScope.discriminantOffset);
      }
      if (parent != null) {
        long groupId = TypeIds.groupId(parent.node.getId(), index);
        node.setId(groupId);
        node.setScopeId(parent.node.getId());
        getSchema().initGroup().setTypeId(groupId);
        sourceInfo.setId(groupId);
        if (docComment != null) {
          sourceInfo.setDocComment(docComment);
        }
      }
    }
  }

  private record FieldAndInfo(Schema.Field.Builder field,
      Schema.Node.SourceInfo.Member.Builder info) {}

  StructTranslator(NodeTranslator translator, ImplicitParams implicitParams) {
    this.translator = translator;
    this.module = translator.module;
    this.implicitParams = implicitParams;
    this.groupsCreated = translator.groups;
  }

  /** Compiles a struct's members into {@code builder}. */
  void translate(List<Declaration> members, Schema.Node.Builder builder,
      Schema.Node.SourceInfo.Builder sourceInfo, Declaration structDecl) {
    MemberInfo root = new MemberInfo(builder, sourceInfo);
    traverseTopOrGroup(members, root, top);
    translateRefusingIssue344(root, builder);
  }

  private void translateRefusingIssue344(MemberInfo root, Schema.Node.Builder builder) {
    try {
      translateInternal(root, builder);
    } catch (StructLayout.Issue344Exception e) {
      translator.node.addError(e.getMessage());
    }
  }

  /** Compiles a method's parameter list into {@code builder}. */
  void translateParams(List<Declaration.Param> params, Schema.Node.Builder builder,
      Schema.Node.SourceInfo.Builder sourceInfo) {
    MemberInfo root = new MemberInfo(builder, sourceInfo);
    for (int i = 0; i < params.size(); i++) {
      root.childCount++;
      MemberInfo info = new MemberInfo(root, i, params.get(i), top);
      allMembers.add(info);
      membersByOrdinal.add(new OrdinalEntry(i, info));
    }
    translateRefusingIssue344(root, builder);
  }

  private void traverseUnion(Declaration decl, List<Declaration> members, MemberInfo parent,
      StructLayout.Union layout, int[] codeOrder) {
    if (members.size() < 2) {
      module.error(decl.start, decl.end, "Union must have at least two members.");
    }
    for (Declaration member : members) {
      long ordinal = -1;
      MemberInfo info = null;
      switch (member.kind) {
        case FIELD -> {
          parent.childCount++;
          StructLayout.Group singleton = new StructLayout.Group(layout);
          info = new MemberInfo(parent, codeOrder[0]++, member, singleton, true);
          allMembers.add(info);
          ordinal = member.ordinal;
        }
        case UNION -> {
          if (member.nameText().isEmpty()) {
            module.error(member.start, member.end, "Unions cannot contain unnamed unions.");
          } else {
            parent.childCount++;
            StructLayout.Group singleton = new StructLayout.Group(layout);
            StructLayout.Union unionLayout = new StructLayout.Union(singleton);
            info = new MemberInfo(parent, codeOrder[0]++, member,
                newGroupNode(parent.node, member.nameText()), true);
            allMembers.add(info);
            info.unionScope = unionLayout;
            traverseUnion(member, member.nested, info, unionLayout, new int[1]);
            if (member.hasOrdinal()) {
              ordinal = member.ordinal;
            }
          }
        }
        case GROUP -> {
          parent.childCount++;
          StructLayout.Group group = new StructLayout.Group(layout);
          info = new MemberInfo(parent, codeOrder[0]++, member,
              newGroupNode(parent.node, member.nameText()), true);
          allMembers.add(info);
          traverseGroup(member.nested, info, group);
        }
        default -> { }
      }
      if (ordinal >= 0) {
        membersByOrdinal.add(new OrdinalEntry(ordinal, info));
      }
    }
  }

  private void traverseGroup(List<Declaration> members, MemberInfo parent,
      StructLayout.StructOrGroup layout) {
    if (members.isEmpty()) {
      module.error(parent.start, parent.end, "Group must have at least one member.");
    }
    traverseTopOrGroup(members, parent, layout);
  }

  private void traverseTopOrGroup(List<Declaration> members, MemberInfo parent,
      StructLayout.StructOrGroup layout) {
    int[] codeOrder = new int[1];
    for (Declaration member : members) {
      long ordinal = -1;
      MemberInfo info = null;
      switch (member.kind) {
        case FIELD -> {
          parent.childCount++;
          info = new MemberInfo(parent, codeOrder[0]++, member, layout, false);
          allMembers.add(info);
          ordinal = member.ordinal;
        }
        case UNION -> {
          StructLayout.Union unionLayout = new StructLayout.Union(layout);
          int[] subCodeOrder;
          if (member.nameText().isEmpty()) {
            info = parent;
            subCodeOrder = codeOrder;
          } else {
            parent.childCount++;
            info = new MemberInfo(parent, codeOrder[0]++, member,
                newGroupNode(parent.node, member.nameText()), false);
            allMembers.add(info);
            subCodeOrder = new int[1];
          }
          info.unionScope = unionLayout;
          traverseUnion(member, member.nested, info, unionLayout, subCodeOrder);
          if (member.hasOrdinal()) {
            ordinal = member.ordinal;
          }
        }
        case GROUP -> {
          parent.childCount++;
          info = new MemberInfo(parent, codeOrder[0]++, member,
              newGroupNode(parent.node, member.nameText()), false);
          allMembers.add(info);
          traverseGroup(member.nested, info, layout);
        }
        default -> { }
      }
      if (ordinal >= 0) {
        membersByOrdinal.add(new OrdinalEntry(ordinal, info));
      }
    }
  }

  private NodeTranslator.Output newGroupNode(Schema.Node.Builder parent, String name) {
    NodeTranslator.Output group = NodeTranslator.Output.create();
    var node = group.node();
    String displayName = parent.getDisplayName().toString() + "." + name;
    node.setDisplayName(displayName);
    node.setDisplayNamePrefixLength(displayName.length() - name.length());
    node.setIsGeneric(parent.getIsGeneric());
    node.initStruct().setIsGroup(true);
    groupsCreated.add(group);
    return group;
  }

  private void translateInternal(MemberInfo root, Schema.Node.Builder builder) {
    var structBuilder = builder.initStruct();
    membersByOrdinal.sort(Comparator.comparingLong(OrdinalEntry::ordinal));
    OrdinalChecker ordinals = new OrdinalChecker(module);
    for (OrdinalEntry entry : membersByOrdinal) {
      MemberInfo member = entry.member();
      if (member.decl != null && member.decl.hasOrdinal()) {
        ordinals.check(member.decl);
      }
      Schema.Field.Builder field = member.getSchema();
      field.getOrdinal().setExplicit((short) entry.ordinal());
      switch (member.declKind) {
        case FIELD -> compileSlot(member, field);
        case UNION -> {
          if (!member.unionScope.addDiscriminant()) {
            module.error(member.decl.ordinalStart, member.decl.ordinalEnd,
                "Union ordinal, if specified, must be greater than no more than one of its "
                    + "member ordinals (i.e. there can only be one field retroactively "
                    + "unionized).");
          }
        }
        default -> throw new IllegalStateException("unexpected member " + member.declKind);
      }
    }
    root.finishGroup();
    for (MemberInfo member : allMembers) {
      Declaration.Target target;
      if (member.param != null) {
        target = Declaration.Target.PARAM;
      } else {
        switch (member.declKind) {
          case FIELD -> target = Declaration.Target.FIELD;
          case UNION -> {
            member.finishGroup();
            target = Declaration.Target.UNION;
          }
          case GROUP -> {
            member.finishGroup();
            target = Declaration.Target.GROUP;
          }
          default -> throw new IllegalStateException("unexpected member " + member.declKind);
        }
      }
      Schema.Field.Builder field = member.getSchema();
      translator.compileAnnotations(member.annotations(), target, field::initAnnotations);
    }
    structBuilder.setDataWordCount((short) top.dataWordCount);
    structBuilder.setPointerCount((short) top.pointerCount);
    structBuilder.setPreferredListEncoding(Schema.ElementSize.INLINE_COMPOSITE);
    for (NodeTranslator.Output group : groupsCreated) {
      var g = group.node().getStruct();
      g.setDataWordCount((short) top.dataWordCount);
      g.setPointerCount((short) top.pointerCount);
      g.setPreferredListEncoding(Schema.ElementSize.INLINE_COMPOSITE);
    }
  }

  private void compileSlot(MemberInfo member, Schema.Field.Builder field) {
    var slot = field.initSlot();
    var type = slot.initType();
    Expression defaultValue = member.fieldDefault();
    if (translator.compileType(member.fieldType(), type, implicitParams)) {
      if (defaultValue != null) {
        if (member.param != null && defaultValue instanceof Expression.RelativeName r
            && r.name().equals("null")) {
          switch (type.which()) {
            case TEXT, DATA, LIST, STRUCT, INTERFACE, ANY_POINTER -> { }
            default -> module.error(r.start(), r.end(),
                "Only pointer parameters can declare their default as 'null'.");
          }
          NodeTranslator.compileDefaultDefaultValue(type.asReader(), slot.initDefaultValue());
        } else {
          translator.compileBootstrapValue(defaultValue, type.asReader(),
              slot.initDefaultValue());
        }
        slot.setHadExplicitDefault(true);
      } else {
        NodeTranslator.compileDefaultDefaultValue(type.asReader(), slot.initDefaultValue());
      }
    } else {
      NodeTranslator.compileDefaultDefaultValue(type.asReader(), slot.initDefaultValue());
    }
    int lgSize = switch (type.which()) {
      case VOID -> -1;
      case BOOL -> 0;
      case INT8, UINT8 -> 3;
      case INT16, UINT16, ENUM -> 4;
      case INT32, UINT32, FLOAT32 -> 5;
      case INT64, UINT64, FLOAT64 -> 6;
      default -> -2;
    };
    if (lgSize == -2) {
      slot.setOffset(member.fieldScope.addPointer());
    } else if (lgSize == -1) {
      member.fieldScope.addVoid();
      slot.setOffset(0);
    } else {
      try {
        slot.setOffset(member.fieldScope.addData(lgSize));
      } catch (StructLayout.Issue344Exception e) {
        module.error(member.start, member.end, e.getMessage());
      }
    }
  }
}
