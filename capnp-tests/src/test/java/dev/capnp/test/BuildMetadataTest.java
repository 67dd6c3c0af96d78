package dev.capnp.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The build's promises to users, checked on the poms: the BOM (which has no parent) keeps the
 * parent's version and lists every library, and every module names its JPMS module.
 */
class BuildMetadataTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final List<String> LIBRARIES = List.of("capnp-runtime", "capnp-compiler",
      "capnp-rpc", "capnp-net", "capnp-tool", "capnp-testing");

  private static Document pom(Path file) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(false);
    return factory.newDocumentBuilder().parse(file.toFile());
  }

  private static String child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e.getTextContent().trim();
      }
    }
    return null;
  }

  private static List<String> texts(Document doc, String tag) {
    List<String> out = new ArrayList<>();
    NodeList nodes = doc.getElementsByTagName(tag);
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add(nodes.item(i).getTextContent().trim());
    }
    return out;
  }

  @Test
  void theBomHasTheParentsVersionAndEveryLibrary() throws Exception {
    Document parent = pom(ROOT.resolve("pom.xml"));
    Document bom = pom(ROOT.resolve("capnp-bom/pom.xml"));
    assertThat(child(bom.getDocumentElement(), "version"))
        .isEqualTo(child(parent.getDocumentElement(), "version"));
    assertThat(child(bom.getDocumentElement(), "parent")).as("the BOM has no parent").isNull();
    assertThat(texts(bom, "artifactId")).containsAll(LIBRARIES);
    assertThat(texts(parent, "artifactId")).as("the parent's dependencyManagement")
        .containsAll(LIBRARIES);
    assertThat(texts(bom, "name")).contains("MIT License");
  }

  @Test
  void everyJarModuleNamesItsJpmsModule() throws Exception {
    Document parent = pom(ROOT.resolve("pom.xml"));
    List<String> names = new ArrayList<>();
    for (String module : texts(parent, "module")) {
      Document pom = pom(ROOT.resolve(module).resolve("pom.xml"));
      String packaging = child(pom.getDocumentElement(), "packaging");
      if ("pom".equals(packaging)) {
        continue;
      }
      List<String> moduleName = texts(pom, "automatic.module.name");
      assertThat(moduleName).as(module).hasSize(1);
      assertThat(moduleName.get(0)).as(module).matches("dev\\.capnp\\.[a-z]+");
      names.add(moduleName.get(0));
    }
    assertThat(names).as("module names are unique").doesNotHaveDuplicates();
    assertThat(Files.readString(ROOT.resolve("LICENSE"))).startsWith("MIT License");
  }
}
