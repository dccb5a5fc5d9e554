import Testing

@testable import ObjectStore

@Suite struct XMLDocumentParserTests {
    private func parse(_ text: String) throws -> XMLElement { try XMLDocumentParser.parse(Array(text.utf8)) }

    @Test func readsElementsTextEntitiesAndCDATA() throws {
        let root = try parse("""
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- listing -->
            <s3:ListBucketResult xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/">
              <Contents><Key>a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#233;&#x1F600;</Key><Size>12</Size></Contents>
              <Contents><Key><![CDATA[raw <&> text]]></Key><Empty/></Contents>
              <Attr name='x' other="y">v</Attr>
            </s3:ListBucketResult>
            """)
        #expect(root.name == "ListBucketResult")
        let contents = root.children("Contents")
        #expect(contents.count == 2)
        #expect(contents[0].text(of: "Key") == "a&b <c> \"d\" 'e' é😀")
        #expect(contents[0].text(of: "Size") == "12")
        #expect(contents[1].text(of: "Key") == "raw <&> text")
        #expect(contents[1].child("Empty")?.text == "")
        #expect(root.text(of: "Attr") == "v")
    }

    @Test(arguments: [
        "", "just text", "<a>", "<a></b>", "<a><b></a></b>", "<a>&unknown;</a>", "<a>&#xZZ;</a>", "<a>&#1114112;</a>",
        "<a>&amp</a>", "<a x=1></a>", "<a x=\"1></a>", "<a/><b/>", "<a><![CDATA[never closed</a>", "<!-- open",
        "<a></a>trailing",
    ])
    func rejectsMalformedDocuments(_ text: String) {
        #expect(throws: XMLDocumentParser.Failure.self) { try parse(text) }
    }

    @Test func rejectsNestingBeyondTheLimit() {
        let deep = String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
        #expect(throws: XMLDocumentParser.Failure.self) { try parse(deep) }
        let fine = String(repeating: "<a>", count: 50) + String(repeating: "</a>", count: 50)
        #expect(throws: Never.self) { try parse(fine) }
    }

    @Test func escapingRoundTripsThroughTheParser() throws {
        let key = "a&b<c>\"d\"'e' ü/\r\n"
        let root = try parse("<Key>\(key.xmlEscaped)</Key>")
        #expect(root.text == key)
    }

    @Test func listingResponseBecomesObjectListing() throws {
        let body = """
            <ListBucketResult><Name>b</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
            <IsTruncated>true</IsTruncated><NextContinuationToken>tok/+=</NextContinuationToken>
            <Contents><Key>p/a&amp;1</Key><LastModified>2023-11-14T22:13:20.000Z</LastModified><ETag>&quot;abc&quot;</ETag><Size>5</Size></Contents>
            <CommonPrefixes><Prefix>p/sub/</Prefix></CommonPrefixes></ListBucketResult>
            """
        let listing = try S3ObjectStore.parseListing(Array(body.utf8))
        #expect(listing.objects == [ObjectMetadata(key: "p/a&1", size: 5, lastModifiedMillis: 1_700_000_000_000, eTag: "\"abc\"")])
        #expect(listing.commonPrefixes == ["p/sub/"])
        #expect(listing.continuationToken == "tok/+=")
    }

    @Test func malformedListingIsAMalformedResponseError() {
        for body in ["<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>",
                     "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>", "<Other/>", "<broken"] {
            let error = #expect(throws: ObjectStoreError.self) { try S3ObjectStore.parseListing(Array(body.utf8)) }
            #expect(error?.code == .malformedResponse)
        }
        let embedded = #expect(throws: ObjectStoreError.self) {
            try S3ObjectStore.parseListing(Array("<Error><Code>AccessDenied</Code><Message>no</Message></Error>".utf8))
        }
        #expect(embedded?.code == .accessDenied)
    }
}
