/** Every Handlebars helper, one per file. */
import { t } from './t';
import { eq } from './eq';
import { time, ago } from './time';
import { icon } from './icon';
import { html } from './html';
import { json } from './json';
import { initial } from './initial';
import { concat } from './concat';
import { fixed } from './fixed';
import { stickers } from './stickers';
import { slot } from './slot';

export const helpers = { t, eq, time, ago, icon, html, json, initial, concat, fixed, stickers, slot };
