/** The Admin SDK's root URL when IDSYNC_GOOGLE_ROOT_URL is not set (the sandbox sets its own). */
export const DEFAULT_GOOGLE_ROOT_URL = 'https://admin.googleapis.com/';
