package io.airlock.proposal;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** One file of a proposal, as deployed: its name ("dmn/auto-approval.dmn") and bytes. */
public record ProposedFile(String name, byte[] bytes) {

  private static final String BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL";

  public boolean isDmn() {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".dmn") || n.endsWith(".dmn11.xml");
  }

  public boolean isBpmn() {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".bpmn") || n.endsWith(".bpmn20.xml");
  }

  public String sha256() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The keys of the definitions the file defines, as the engine versions them: the processes of
   * a BPMN file, the decisions of a DMN file; none for a form or a file that does not parse
   * (the model rules have refused those before a proposal is made).
   */
  public List<String> definitionKeys() {
    List<String> keys = new ArrayList<>();
    if (!isDmn() && !isBpmn()) {
      return keys;
    }
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      Element root = f.newDocumentBuilder().parse(new ByteArrayInputStream(bytes)).getDocumentElement();
      NodeList nodes = isBpmn() ? root.getElementsByTagNameNS(BPMN_NS, "process")
          : root.getElementsByTagNameNS(root.getNamespaceURI(), "decision");
      for (int i = 0; i < nodes.getLength(); i++) {
        Element e = (Element) nodes.item(i);
        if (e.getParentNode() == root && !e.getAttribute("id").isBlank()) {
          keys.add(e.getAttribute("id"));
        }
      }
    } catch (Exception e) {
      return keys;
    }
    return keys;
  }
}
