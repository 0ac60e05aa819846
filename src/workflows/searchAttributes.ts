// Custom search attributes of a move, so operators can filter in Temporal Web, e.g.
// `MovePhase = "NEEDS_ATTENTION"`. The dev server registers them at start (see src/temporal).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ClientIdKey = defineSearchAttributeKey('ClientId', SearchAttributeType.KEYWORD);
export const MoveIdKey = defineSearchAttributeKey('MoveId', SearchAttributeType.KEYWORD);
export const SourceSiteIdKey = defineSearchAttributeKey('SourceSiteId', SearchAttributeType.KEYWORD);
export const DestinationSiteIdKey = defineSearchAttributeKey('DestinationSiteId', SearchAttributeType.KEYWORD);
export const MovePhaseKey = defineSearchAttributeKey('MovePhase', SearchAttributeType.KEYWORD);

/** Every custom search attribute, for registration on a server. */
export const MOVE_SEARCH_ATTRIBUTES = [ClientIdKey, MoveIdKey, SourceSiteIdKey, DestinationSiteIdKey, MovePhaseKey];
