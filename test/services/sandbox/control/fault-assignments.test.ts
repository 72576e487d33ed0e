import { describe, expect, it } from 'vitest';
import {
  applyFaultAssignment,
  FaultAssignmentError,
  parseFaultAssignment,
} from '../../../../services/sandbox/control/fault-assignments.js';

describe('fault assignments', () => {
  it('parses target aliases, knobs and off', () => {
    expect(parseFaultAssignment('qs.errorRate=0.5')).toEqual({
      target: 'quicksight',
      knob: 'errorRate',
      value: 0.5,
    });
    expect(parseFaultAssignment(' idc.latencyMs=2000 ')).toEqual({
      target: 'identitystore',
      knob: 'latencyMs',
      value: 2000,
    });
    expect(parseFaultAssignment('google=off')).toEqual({
      target: 'google',
      knob: 'all',
      value: undefined,
    });
    expect(parseFaultAssignment('qs.resetRate=off').value).toBeUndefined();
  });

  it('takes a CloudTrail region after ct, and only there', () => {
    expect(parseFaultAssignment('ct@eu-west-1.errorRate=1')).toEqual({
      target: 'cloudtrail',
      knob: 'errorRate',
      value: 1,
      region: 'eu-west-1',
    });
    expect(parseFaultAssignment('ct.throttleRate=0.5')).toEqual({
      target: 'cloudtrail',
      knob: 'throttleRate',
      value: 0.5,
    });
    expect(parseFaultAssignment('ct@us-west-2=off')).toEqual({
      target: 'cloudtrail',
      knob: 'all',
      value: undefined,
      region: 'us-west-2',
    });
    expect(() => parseFaultAssignment('qs@eu-west-1.errorRate=1')).toThrow(
      /only ct takes a region/,
    );
    expect(() => parseFaultAssignment('ct@moon.errorRate=1')).toThrow(/only ct takes a region/);
  });

  it.each([
    'qs.errorRate=2',
    'qs.errorRate=1e-3',
    'qs.latencyMs=0.5',
    'qs.latencyMs=-1',
    'qs.nope=1',
    'sqs.errorRate=0.1',
    'qs',
    'qs=on',
    'qs.errorRate=',
  ])('refuses %j', (word) => {
    expect(() => parseFaultAssignment(word)).toThrow(FaultAssignmentError);
  });

  it('changes one knob and keeps the others', () => {
    let s = applyFaultAssignment({ latencyMs: 10 }, parseFaultAssignment('qs.errorRate=0.2'));
    expect(s).toEqual({ latencyMs: 10, errorRate: 0.2 });
    s = applyFaultAssignment(s, parseFaultAssignment('qs.latencyMs=off'));
    expect(s).toEqual({ errorRate: 0.2 });
    s = applyFaultAssignment(s, parseFaultAssignment('qs.bucketRate=5'));
    expect(s.bucket).toEqual({ rate: 5, burst: 5 });
    s = applyFaultAssignment(s, parseFaultAssignment('qs.bucketBurst=20'));
    expect(s.bucket).toEqual({ rate: 5, burst: 20 });
    s = applyFaultAssignment(s, parseFaultAssignment('qs.failPage=2'));
    s = applyFaultAssignment(s, parseFaultAssignment('qs.failPageTimes=3'));
    expect(s.failPage).toEqual({ page: 2, times: 3 });
    expect(applyFaultAssignment(s, parseFaultAssignment('qs=off'))).toEqual({});
  });

  it('names the SES stand-in as ses (notices)', () => {
    expect(parseFaultAssignment('ses.errorRate=1')).toMatchObject({
      target: 'ses',
      knob: 'errorRate',
      value: 1,
    });
  });
});
