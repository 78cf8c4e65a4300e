import type { Icon } from 'n8n-workflow';

/**
 * The package's shared klink icons (icons/, copied into dist by the build). The paths are relative to
 * Klink.node.ts even where a version's description uses them: n8n resolves the icon paths of every version
 * against the file of the versioned node registered in package.json, not against the version's folder (v1/).
 */
export const klinkIcon: Icon = { light: 'file:../../icons/klink.svg', dark: 'file:../../icons/klink.dark.svg' };
