// libxml2 for XMPPStream. Its encoding.h includes the system ICU headers when libxml2 was built
// with ICU (Debian's is); a module that also sees Foundation's bundled ICU (_FoundationICU, through
// XMPPCore's `import Foundation`) then gets two conflicting `UErrorCode` enums, depending on build
// order. Starling never uses libxml2's ICU converters (streams are UTF-8 only, RFC 6120 §11.6) nor
// the encoding-handler struct whose ICU fields this guards, so the ICU part is switched off here.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
