/// rrweb's top-level event types [rrweb-io/rrweb packages/types/src/index.ts, see FORMATS.md].
public enum RRWebEventType: Int, CaseIterable, Sendable {
    case domContentLoaded = 0, load, fullSnapshot, incrementalSnapshot, meta, custom, plugin, asset

    /// The name rrweb's types use.
    public var name: String {
        switch self {
        case .domContentLoaded: return "DomContentLoaded"
        case .load: return "Load"
        case .fullSnapshot: return "FullSnapshot"
        case .incrementalSnapshot: return "IncrementalSnapshot"
        case .meta: return "Meta"
        case .custom: return "Custom"
        case .plugin: return "Plugin"
        case .asset: return "Asset"
        }
    }
}

/// rrweb's incremental snapshot sources (`data.source` of an IncrementalSnapshot event).
public enum RRWebIncrementalSource: Int, CaseIterable, Sendable {
    case mutation = 0, mouseMove, mouseInteraction, scroll, viewportResize, input, touchMove,
         mediaInteraction, styleSheetRule, canvasMutation, font, log, drag, styleDeclaration,
         selection, adoptedStyleSheet, customElement

    /// The name rrweb's types use.
    public var name: String {
        switch self {
        case .mutation: return "Mutation"
        case .mouseMove: return "MouseMove"
        case .mouseInteraction: return "MouseInteraction"
        case .scroll: return "Scroll"
        case .viewportResize: return "ViewportResize"
        case .input: return "Input"
        case .touchMove: return "TouchMove"
        case .mediaInteraction: return "MediaInteraction"
        case .styleSheetRule: return "StyleSheetRule"
        case .canvasMutation: return "CanvasMutation"
        case .font: return "Font"
        case .log: return "Log"
        case .drag: return "Drag"
        case .styleDeclaration: return "StyleDeclaration"
        case .selection: return "Selection"
        case .adoptedStyleSheet: return "AdoptedStyleSheet"
        case .customElement: return "CustomElement"
        }
    }
}
