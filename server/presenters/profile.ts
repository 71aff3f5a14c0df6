/**
 * A member's profile as it leaves the server (JSON API and the profile page): the public user
 * shape plus bio, counts and what the member chose to show this viewer.
 */
import { presentChapter, presentUser } from '../presenters';
import type { ProfilePrivacy, ProfileView } from '../services/profiles';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : undefined);

/** CONTRACT v1.1: {id, username, displayName, role, avatarUrl?, bio?, joinedAt, counts:{threads, posts, likesReceived}} plus extras. */
export function presentProfile(view: ProfileView) {
  return {
    ...presentUser(view.user),
    bio: view.bio ?? undefined,
    lastSeenAt: iso(view.lastSeenAt),
    counts: view.counts,
    // Which tabs this viewer gets: likes and chapters may be kept private by the member.
    sections: { likes: view.likesVisible, chapters: view.chapters !== null },
    // The member's own choices, shown only to those who see past them (the owner, moderators).
    ...(view.seesPrivate ? { privacy: view.privacy } : {}),
  };
}
export type PresentedProfile = ReturnType<typeof presentProfile>;

/** The profile's chapters (null when the member hides them from this viewer). */
export function presentProfileChapters(view: ProfileView) {
  return view.chapters ? view.chapters.map(presentChapter) : null;
}

/** The caller's own bio and privacy choices (GET/PATCH /api/v1/me). */
export function presentOwnProfile(settings: ProfilePrivacy & { bio: string | null }) {
  return { bio: settings.bio ?? undefined, privacy: { hideLikes: settings.hideLikes, hideChapters: settings.hideChapters, hideLastSeen: settings.hideLastSeen } };
}
