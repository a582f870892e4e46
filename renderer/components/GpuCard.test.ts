import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { gpuWords } from '../../main/common/gpu-words.js';
import { describe, expect, it, vi } from 'vitest';
import { GPU_STATES, type GpuEntry } from '../../main/common/snapshot.js';
import { STATE_LABELS } from '../lib/labels.js';
import { client, egpuEntry, igpuEntry, OLLAMA, T0 } from '../test/fixtures.js';
import GpuCard from './GpuCard.svelte';

const renderCard = (gpu: GpuEntry, uid?: number) => {
  const props = {
    gpu,
    now: T0 + 120_000,
    ...(uid === undefined ? {} : { uid }),
    oneject: vi.fn(),
    onrecover: vi.fn(),
    oncloseclient: vi.fn(),
    onshowincident: vi.fn(),
    onrefresh: vi.fn(),
  };
  render(GpuCard, { props });
  return props;
};

const button = (name: RegExp) => screen.queryByRole('button', { name });

describe('GpuCard', () => {
  it.each(GPU_STATES)('labels the %s state in words and colour', (state) => {
    // A surprise removal while an app used it (an idle one has words of its own, below).
    const lost = { lostUsers: [{ pid: 2231, comm: 'ollama' }], clients: null, present: false };
    const entry = egpuEntry(state, state === 'surprise-removed' ? lost : {});
    renderCard(entry);
    const label = STATE_LABELS[state];
    const badge = screen.getByText(label.label, { selector: '.badge' });
    expect(badge).toHaveClass(`tone-${label.tone}`);
    expect(screen.getByText(gpuWords(entry).explanation, { exact: false })).toBeInTheDocument();
  });

  it('offers eject only where it makes sense, recover only after trouble or a removal', () => {
    const expectations: [GpuEntry['state'], boolean, boolean][] = [
      ['attached', true, false],
      ['in-use', true, false],
      ['ejecting', false, false],
      ['safe-to-unplug', false, false], // "Use it again", not Recover: nothing is wrong
      ['unplugged', false, true],
      ['fell-off-bus', false, true],
      ['surprise-removed', false, true],
      ['connected', false, true],
      ['absent', false, false],
    ];
    for (const [state, eject, recover] of expectations) {
      const { unmount } = render(GpuCard, {
        props: {
          gpu: egpuEntry(state),
          now: T0,
          oneject: () => {},
          onrecover: () => {},
          oncloseclient: () => {},
          onshowincident: () => {},
          onrefresh: () => {},
        },
      });
      expect([state, !!button(/Safely eject/), !!button(/^Recover/)]).toEqual([
        state,
        eject,
        recover,
      ]);
      unmount();
    }
  });

  it('an idle GPU pulled without an eject is a warning, not "while in use"; a used one names who', () => {
    const { unmount } = render(GpuCard, {
      props: {
        ...renderProps(),
        gpu: egpuEntry('surprise-removed', { present: false, clients: null }),
      },
    });
    expect(screen.getByText('Unplugged without eject', { selector: '.badge' })).toHaveClass(
      'tone-progress',
    );
    expect(
      screen.getByText(/No app was using it when last checked, so likely nothing was lost/),
    ).toBeInTheDocument();
    unmount();
    renderCard(
      egpuEntry('surprise-removed', {
        present: false,
        clients: null,
        lostUsers: [{ pid: 2231, comm: 'ollama' }],
      }),
    );
    expect(screen.getByText('Unplugged while in use', { selector: '.badge' })).toBeInTheDocument();
    expect(
      screen.getByText(/ollama \(pid 2231\) was using it and may have crashed\./),
    ).toBeInTheDocument();
  });

  it('after a safe eject: names what to unplug, offers "Use it again", never Recover', () => {
    const { unmount } = render(GpuCard, {
      props: {
        ...renderProps(),
        gpu: egpuEntry('safe-to-unplug', { present: false, departure: 'safe-eject' }),
      },
    });
    expect(screen.getByText(/Unplug the Razer Core X now\./)).toBeInTheDocument();
    expect(button(/^Use it again/)).not.toBeNull();
    expect(button(/^Recover/)).toBeNull();
    unmount();
    renderCard(egpuEntry('unplugged', { present: false, departure: 'safe-eject' }));
    expect(screen.getByText(/Unplugged after a safe eject\./)).toBeInTheDocument();
    expect(button(/^Recover|^Use it again/)).toBeNull();
  });

  it('shows where an external GPU sits, its link, driver and health', () => {
    renderCard(egpuEntry('attached'));
    expect(screen.getByText(/External · Razer Core X · Thunderbolt/)).toBeInTheDocument();
    expect(screen.getByText('8 GT/s x4 at the GPU')).toBeInTheDocument();
    expect(screen.getByText('nvidia')).toBeInTheDocument();
    expect(screen.getByText(/Responds on the bus/)).toBeInTheDocument();
    expect(screen.queryByText(/Degraded link/)).toBeNull();
  });

  it('warns about a degraded link only for a real fault, in the words egpu status uses', () => {
    const gpu = egpuEntry('attached');
    const info = gpu.info!;
    renderCard({
      ...gpu,
      info: {
        ...info,
        link: {
          ...info.link,
          current: { speed: 8, width: 1 },
          degraded: true,
          degradation: {
            kind: 'width',
            port: '0000:09:01.0',
            device: '0000:0a:00.0',
            current: { speed: 8, width: 1 },
            capable: { speed: 8, width: 4 },
          },
        },
      },
    });
    expect(
      screen.getByText(
        /Degraded link: link 0000:09:01.0 → 0000:0a:00.0 trained at x1 although both ends support x4/,
      ),
    ).toBeInTheDocument();
  });

  it('an internal GPU says so and cannot be ejected', () => {
    renderCard(igpuEntry());
    expect(screen.getByText(/^Internal/)).toBeInTheDocument();
    expect(screen.getByText('Integrated (no PCIe link)')).toBeInTheDocument();
    expect(button(/Safely eject/)).toBeNull();
  });

  it('lists the apps with roles; apps get Close, the desktop does not', async () => {
    const gpu = egpuEntry('in-use', {
      clients: [OLLAMA, client(900, 'Xwayland', 'xwayland'), client(950, 'firefox', 'browser')],
    });
    const props = renderCard(gpu);
    const apps = screen.getByRole('region', { name: 'Apps using NVIDIA GeForce RTX 3070' });
    expect(within(apps).getByText('Compute')).toBeInTheDocument();
    expect(within(apps).getByText('Xwayland', { selector: '.badge' })).toBeInTheDocument();
    expect(within(apps).getByText(/log out to release it/)).toBeInTheDocument();
    expect(within(apps).queryByRole('button', { name: /Close Xwayland/ })).toBeNull();
    await fireEvent.click(within(apps).getByRole('button', { name: 'Close firefox (pid 950)' }));
    expect(props.oncloseclient).toHaveBeenCalledWith(expect.objectContaining({ pid: 950 }), gpu);
  });

  it("another user's app (root's too) gets no Close: the row says who can close it", () => {
    const gpu = egpuEntry('in-use', {
      clients: [
        { ...client(700, 'nvidia-smi', 'compute'), uid: 0, user: 'root' },
        { ...client(800, 'blender', 'other'), uid: 1001, user: 'bob' },
        { ...client(950, 'firefox', 'browser'), uid: 1000, user: 'alice' },
      ],
    });
    renderCard(gpu, 1000);
    const apps = screen.getByRole('region', { name: 'Apps using NVIDIA GeForce RTX 3070' });
    const row = (comm: string): string =>
      (within(apps).getByText(comm).closest('li')?.textContent ?? '').replace(/\s+/g, ' ').trim();
    expect(row('nvidia-smi')).toBe(
      'nvidia-smi Compute pid 700 · root Runs as root: only root can close it',
    );
    expect(row('blender')).toBe(
      'blender App pid 800 · bob Runs as bob: only bob or root can close it',
    );
    expect(within(apps).queryByRole('button', { name: /Close (nvidia-smi|blender)/ })).toBeNull();
    expect(
      within(apps).getByRole('button', { name: 'Close firefox (pid 950)' }),
    ).toBeInTheDocument();
    cleanup();
    // eGPU Guard running as root closes anyone's app.
    renderCard(gpu, 0);
    expect(screen.getAllByRole('button', { name: /^Close / })).toHaveLength(3);
  });

  it('a dead GPU taken off the bus is "Not responding" until its enclosure is unplugged, then "Unplugged"', () => {
    const dead = egpuEntry('unplugged', {
      present: false,
      departure: 'fell-off-bus',
      clients: null,
    });
    renderCard(dead);
    expect(screen.getByText('Not responding', { selector: '.badge' })).toBeInTheDocument();
    cleanup();
    renderCard({ ...dead, enclosureGone: true });
    expect(screen.getByText('Unplugged', { selector: '.badge' })).toBeInTheDocument();
    expect(screen.getByText(/is unplugged now/)).toBeInTheDocument();
    expect(screen.queryByText('Not responding', { selector: '.badge' })).toBeNull();
  });

  it('says when nobody uses it and when it was not checked yet', () => {
    const { unmount } = render(GpuCard, {
      props: { ...renderProps(), gpu: egpuEntry('attached') },
    });
    expect(screen.getByText('No app is using it.')).toBeInTheDocument();
    unmount();
    render(GpuCard, { props: { ...renderProps(), gpu: egpuEntry('attached', { clients: null }) } });
    expect(screen.getByText('Not checked yet.')).toBeInTheDocument();
  });

  it('a GPU that left the bus shows its last facts as history', () => {
    renderCard(egpuEntry('safe-to-unplug', { present: false, clients: null }));
    expect(screen.getByText('None (not on the bus now)')).toBeInTheDocument();
    expect(screen.getByText('nvidia (when last seen)')).toBeInTheDocument();
    expect(screen.getByText('Not on the bus now')).toBeInTheDocument();
    expect(screen.getByText('None: it is not on the bus.')).toBeInTheDocument();
    expect(button(/Refresh/)).toBeNull();
  });

  it('the buttons call back with the GPU', async () => {
    const gpu = egpuEntry('fell-off-bus', { incident: 'inc-1' });
    const props = renderCard(gpu);
    await fireEvent.click(button(/Recover NVIDIA GeForce RTX 3070/)!);
    expect(props.onrecover).toHaveBeenCalledWith(gpu);
    await fireEvent.click(button(/What happened/)!);
    expect(props.onshowincident).toHaveBeenCalledWith('inc-1');
    await fireEvent.click(button(/Refresh/)!);
    expect(props.onrefresh).toHaveBeenCalled();
  });
});

function renderProps() {
  return {
    now: T0,
    oneject: () => {},
    onrecover: () => {},
    oncloseclient: () => {},
    onshowincident: () => {},
    onrefresh: () => {},
  };
}
