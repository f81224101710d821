import { Flags } from '@oclif/core';

/** The emergency override of the promotion gate (sync, diff): it must say why, and the run logs what it let through. */
export const promotionGateFlags = {
  'override-promotion-gate': Flags.string({
    description:
      'emergency: run versions that are not deployed and ready in the environment this one is promoted from; give the reason (it is logged)',
    helpValue: 'REASON',
  }),
};
